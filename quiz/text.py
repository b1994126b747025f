"""Vietnamese text helpers: NFC normalisation, accent folding, tokens."""
from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC with outer white space removed."""
    return unicodedata.normalize("NFC", text).strip()


def fold(text: str) -> str:
    """Lower-case `text` and strip its accents, mapping đ to d ("Đăng ký" → "dang ky")."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d")


def tokens(text: str) -> list[str]:
    """Words of `text`, lower-cased, accents kept."""
    return _WORD.findall(nfc(text).lower())


def folded_tokens(text: str) -> list[str]:
    """Words of `text`, lower-cased and accent-folded."""
    return _WORD.findall(fold(text))


def squash(text: str) -> str:
    """Fold accents and case and collapse white space: the key for near-duplicates."""
    return _SPACES.sub(" ", " ".join(folded_tokens(text))).strip()


def whole_number(text: str, *, max_digits: int = 18) -> int | None:
    """A whole number written in the digits 0-9 only, or None. "²", "١٢" and "１２" are digits to
    str.isdigit() but not to a count, a year or an id; 18 digits always fit a 64-bit column."""
    text = text.strip()
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
