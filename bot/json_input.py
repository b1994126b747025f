"""JSON from outside (a browser, a webhook) read with bounds: nesting no deeper than a real message
needs, and text that is valid Unicode. Python's parser recurses once per level, so a few kilobytes of
"[[[[" end in a RecursionError rather than a ValueError; and a JSON escape may name half of a
surrogate pair, which no database, Redis or journal can store later, or NUL, which PostgreSQL's text
refuses."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

MAX_DEPTH = 32  # a Telegram update nests about 6 levels, a Zalo event 4, the web chat's body 1

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class NotJson(ValueError):
    """Not JSON this service reads: malformed, nested too deep, or text that is not Unicode."""


def too_deep(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON in `raw` nests deeper than `limit` (brackets inside strings do not count)."""
    if raw.count(b"[") + raw.count(b"{") <= limit:  # no deeper than its opening brackets: most bodies, at once
        return False
    depth = 0
    for bracket in _STRINGS.sub(b"", raw).translate(None, _NOT_BRACKETS):
        depth += 1 if bracket in b"[{" else -1
        if depth > limit:
            return True
    return False


def _unicode(value: Any) -> bool:
    """True when every string in `value` (keys too) can be written as UTF-8, and as PostgreSQL text."""
    if isinstance(value, str):
        return "\x00" not in value and (value.isascii() or _encodes(value))
    if isinstance(value, dict):
        return all(_unicode(k) and _unicode(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_unicode(v) for v in value)
    return True


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def loads(raw: bytes, *, limit: int = MAX_DEPTH, parse_int: Callable[[str], Any] | None = None,
          parse_float: Callable[[str], Any] | None = None) -> Any:
    """The JSON value in `raw` (UTF-8); NotJson for anything else, never another exception."""
    if too_deep(raw, limit):
        raise NotJson(f"nested deeper than {limit} levels")
    try:
        value = json.loads(raw.decode("utf-8"), parse_int=parse_int, parse_float=parse_float)
    except UnicodeDecodeError:
        raise NotJson("not UTF-8") from None
    except (ValueError, RecursionError) as exc:
        raise NotJson(f"not valid JSON: {exc}") from None
    if not _unicode(value):
        raise NotJson("text with a lone surrogate or a NUL character")
    return value


INT64 = range(-(2**63), 2**63)


def ids_fit(value: Any) -> bool:
    """Every whole number in `value` fits a signed 64-bit column (update, chat and user ids do)."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return value in INT64
    if isinstance(value, dict):
        return all(ids_fit(v) for v in value.values())
    if isinstance(value, list):
        return all(ids_fit(v) for v in value)
    return True
