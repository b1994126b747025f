"""Every message the product can say exists in Vietnamese and in English."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from quiz.problems import PROBLEM_CODES

ROOT = Path(__file__).resolve().parent.parent.parent
KEYWORDS = {"Msg": None, "button": None}


def used_ids() -> set[str]:
    ids: set[str] = {f"problem.{code}" for code in PROBLEM_CODES}
    for package in ("quiz", "bot"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(str(ROOT / package), keywords=KEYWORDS,
                                                                         comment_tags=()):
            ids.add(message if isinstance(message, str) else message[0])
    return {i for i in ids if re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)+", i)}


def catalog(locale: str) -> dict[str, str]:
    with (ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_every_message_id_is_translated(locale: str) -> None:
    translated = {k for k, v in catalog(locale).items() if v.strip()}
    missing = sorted(used_ids() - translated)
    assert missing == [], f"{locale} lacks {missing}"


def test_both_languages_use_the_same_placeholders() -> None:
    vi, en = catalog("vi"), catalog("en")
    differing = [k for k in vi if k in en and fields(vi[k]) != fields(en[k])]
    assert differing == []


def test_catalog_text_is_nfc() -> None:
    import unicodedata
    for locale in ("vi", "en"):
        assert all(unicodedata.is_normalized("NFC", v) for v in catalog(locale).values())
