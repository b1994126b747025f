"""Finding a unit by the name a citizen types: without accents, with the usual abbreviations
(TP, H., X., P., TT, TX, Q.) and a slip of one letter, best matches first."""
from __future__ import annotations

from dataclasses import dataclass

from quiz.model import Unit
from quiz.text import folded_tokens
from quiz.units import UnitTree

# What people write before a unit's name, and the words the official name starts with.
KINDS = {"tp": ("thanh", "pho"), "h": ("huyen",), "x": ("xa",), "p": ("phuong",), "tt": ("thi", "tran"),
         "tx": ("thi", "xa"), "q": ("quan",), "t": ("tinh",)}
FUZZY_FROM = 4  # words this long may have one letter wrong, missing or extra


@dataclass(frozen=True, slots=True)
class Found:
    unit: Unit
    slips: int  # words matched only with a slip of one letter, or by their start


def near(typed: str, word: str) -> bool:
    """One letter changed, left out or added ("vann" ~ "van"), in a typed word long enough to tell."""
    if abs(len(typed) - len(word)) > 1 or len(typed) < FUZZY_FROM:
        return False
    if len(typed) == len(word):
        return sum(a != b for a, b in zip(typed, word, strict=True)) == 1
    short, long_ = sorted((typed, word), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _match(query: list[str], words: list[str]) -> int | None:
    """Slips needed for every typed word to match a different word of the name; None if one does not."""
    free, slips = list(words), 0
    for i, typed in enumerate(query):
        if typed in free:
            free.remove(typed)
            continue
        # the last word may be the start of one still being typed ("Đồng V"), unless it stands alone and short
        started = i == len(query) - 1 and (i > 0 or len(typed) >= 2)
        hit = next((w for w in free if (started and w.startswith(typed)) or near(typed, w)), None)
        if hit is None:
            return None
        free.remove(hit)
        slips += 1
    return slips


def find_units(tree: UnitTree, text: str) -> list[Found]:
    """Units below the top of the tree whose name matches `text` best: exactly if any does, else with
    the fewest slips; the abbreviated kind ("H.", "X.") puts its own kind first."""
    query = folded_tokens(text)
    kind_words: tuple[str, ...] = ()
    if len(query) > 1 and query[0] in KINDS:  # "TP Hà Giang", "H. Đồng Văn": the kind is a hint, not a must
        kind_words, query = KINDS[query[0]], query[1:]
    if not query:
        return []
    found: list[tuple[int, int, int, Found]] = []
    for order, unit in enumerate(tree.all()):
        if unit.parent is None:
            continue
        words = folded_tokens(unit.name)
        slips = _match(query, words)
        if slips is None:
            continue
        kind_missed = 0 if not kind_words or all(w in words for w in kind_words) else 1
        found.append((slips, kind_missed, order, Found(unit, slips)))
    found.sort(key=lambda f: f[:3])
    best = found[0][0] if found else 0
    return [f[3] for f in found if f[0] == best]
