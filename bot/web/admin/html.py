"""A tiny safe template helper: everything is escaped unless it is already Markup.

    html("<td>{name}</td>", name=person.full_name)   # name is escaped
    html("<tr>{cells}</tr>", cells=join(cells))        # cells are Markup, kept as they are
"""
from __future__ import annotations

from collections.abc import Iterable
from html import escape
from urllib.parse import urlencode


class Markup(str):
    """Text that is already safe HTML; joining it with plain text escapes the text."""

    __slots__ = ()

    def __add__(self, other: str) -> Markup:
        return Markup(str.__add__(self, esc(other)))

    def __radd__(self, other: str) -> Markup:
        return Markup(str.__add__(esc(other), self))


NOTHING = Markup("")


def esc(value: object) -> Markup:
    """`value` as HTML: Markup is kept, anything else is converted to text and escaped."""
    if isinstance(value, Markup):
        return value
    return Markup(escape("" if value is None else str(value), quote=True))


def html(template: str, /, **values: object) -> Markup:
    """Fill a trusted template's {fields} with escaped values."""
    return Markup(template.format(**{k: esc(v) for k, v in values.items()}))


def join(parts: Iterable[object], sep: str = "") -> Markup:
    return Markup(sep.join(esc(p) for p in parts))


def url(path: str, **query: object) -> str:
    """A path with a query string of the non-empty parameters."""
    params = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{path}?{urlencode(params)}" if params else path


def number(n: int | float) -> str:
    """Vietnamese digit grouping: 133281 → "133.281"."""
    if isinstance(n, float):
        whole, _, frac = f"{n:,.1f}".partition(".")
        return whole.replace(",", ".") + "," + frac
    return f"{n:,}".replace(",", ".")


def percent(share: float | None, digits: int = 1) -> str:
    """A share as a Vietnamese percentage ("12,5%"), or an em dash when unknown."""
    if share is None:
        return "—"
    return f"{share * 100:.{digits}f}%".replace(".", ",")
