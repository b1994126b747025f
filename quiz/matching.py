"""Which stored question an incoming one is, and which of its options each option is.

A question keeps its identity across re-imports: by its id when the file gives one ("Mã", a
JSON/YAML id, a GIFT title); otherwise by its content — the same text, or nearly the same text
and options — never by its row. Options are matched the same way, so fixing a typo in the right
option is not a change of key. A pairing below PAIR_AT is no pairing: "added" and "removed"."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from quiz.model import Question
from quiz.text import folded_tokens, squash

PAIR_AT = 0.8  # combined likeness at which an incoming question is a stored one, edited
OPTION_AT = 0.75  # likeness at which an option is the same option, reworded
_PROVISIONAL = re.compile(r"^q(\d+)$")


def likeness(a: str, b: str) -> float:
    """0..1, how alike two texts are once accents, case and spacing are set aside."""
    x, y = squash(a), squash(b)
    if x == y:
        return 1.0
    matcher = SequenceMatcher(None, x, y, autojunk=False)
    if matcher.real_quick_ratio() < PAIR_AT * 0.5 or matcher.quick_ratio() < PAIR_AT * 0.5:
        return matcher.quick_ratio()
    return matcher.ratio()


def align_options(old: Sequence[str], new: Sequence[str]) -> dict[int, int]:
    """new option index → the old option it is (same text, or reworded), one to one."""
    out: dict[int, int] = {}
    taken: set[int] = set()
    old_keys = [squash(o) for o in old]
    for i, text in enumerate(new):
        key = squash(text)
        j = next((j for j, k in enumerate(old_keys) if k == key and j not in taken), None)
        if j is not None:
            out[i] = j
            taken.add(j)
    scored = sorted(((likeness(new[i], old[j]), i, j) for i in range(len(new)) if i not in out
                     for j in range(len(old)) if j not in taken), reverse=True)
    for score, i, j in scored:
        if score >= OPTION_AT and i not in out and j not in taken:
            out[i] = j
            taken.add(j)
    return out


def right_options(old: Question, new: Question) -> frozenset[int]:
    """The options of `old` that are right under `new`'s key: the one its right option is, or none
    (a right option no one was shown)."""
    found = align_options(old.options, new.options).get(new.correct)
    return frozenset() if found is None else frozenset({found})


def rekeyed(old: Question, new: Question) -> bool:
    """Whether `new` makes a different option right than `old` did."""
    return right_options(old, new) != frozenset({old.correct})


def question_likeness(a: Question, b: Question) -> float:
    """Text weighs most; the options say whether a reworded text still asks the same thing."""
    aligned = align_options(a.options, b.options)
    options = len(aligned) / max(len(a.options), len(b.options))
    return 0.7 * likeness(a.text, b.text) + 0.3 * options


@dataclass(frozen=True, slots=True)
class Pairing:
    stored_id: str | None  # the stored question this one is, or None: a new question
    likeness: float  # 1.0 for the same id or the same text


def _candidates(incoming: Sequence[Question], stored: Sequence[Question]) -> Iterable[tuple[int, int]]:
    """Pairs worth comparing: sharing at least a third of their words."""
    index: dict[str, set[int]] = defaultdict(set)
    words = [set(folded_tokens(q.text)) for q in stored]
    for j, ws in enumerate(words):
        for w in ws:
            index[w].add(j)
    for i, q in enumerate(incoming):
        mine = set(folded_tokens(q.text))
        shared: dict[int, int] = defaultdict(int)
        for w in mine:
            for j in index.get(w, ()):
                shared[j] += 1
        for j, n in shared.items():
            if n * 3 >= max(len(mine), len(words[j]), 1):
                yield i, j


def pair(incoming: Sequence[Question], explicit: Sequence[bool], stored: Sequence[Question]) -> list[Pairing]:
    """For each incoming question, the stored one it is: by id where the file gives one, else by
    the same text, else by the likeliest text and options at PAIR_AT or more; one to one."""
    by_id = {q.id: q for q in stored}
    out: list[Pairing | None] = [None] * len(incoming)
    claimed: set[str] = set()
    for i, (q, given) in enumerate(zip(incoming, explicit, strict=True)):
        if given:
            out[i] = Pairing(q.id if q.id in by_id else None, 1.0)
            claimed.add(q.id)
    free = [q for q in stored if q.id not in claimed]
    by_text: dict[str, list[Question]] = defaultdict(list)
    for q in free:
        by_text[squash(q.text)].append(q)
    for i, q in enumerate(incoming):
        same = by_text.get(squash(q.text)) if out[i] is None else None
        if same:
            found = same.pop(0)
            out[i] = Pairing(found.id, 1.0)
            claimed.add(found.id)
    rest = [q for q in free if q.id not in claimed]
    open_ = [i for i, p in enumerate(out) if p is None]
    scored = sorted(((question_likeness(incoming[open_[a]], rest[b]), open_[a], rest[b].id)
                     for a, b in _candidates([incoming[i] for i in open_], rest)), reverse=True)
    for score, i, sid in scored:
        if score >= PAIR_AT and out[i] is None and sid not in claimed:
            out[i] = Pairing(sid, round(score, 3))
            claimed.add(sid)
    return [p or Pairing(None, 0.0) for p in out]


def fresh_ids(count: int, used: Iterable[str]) -> list[str]:
    """`count` new ids "qN", never one that any version of the set has used."""
    taken = set(used)
    top = max((int(m.group(1)) for i in taken if (m := _PROVISIONAL.match(i))), default=0)
    return [f"q{top + k}" for k in range(1, count + 1)]


def identify(incoming: Sequence[Question], explicit: Sequence[bool], stored: Sequence[Question],
             used: Iterable[str]) -> tuple[list[Question], dict[str, float]]:
    """The incoming questions with their lasting ids: the file's, the stored question's they are, or a
    new one no version of the set ever used; and how alike each question matched by content but not
    word for word is to the one it replaces."""
    pairings = pair(incoming, explicit, stored)
    taken = {*used, *(q.id for q in stored), *(q.id for q, given in zip(incoming, explicit, strict=True) if given)}
    new = iter(fresh_ids(sum(1 for p, given in zip(pairings, explicit, strict=True)
                             if p.stored_id is None and not given), taken))
    out: list[Question] = []
    edited: dict[str, float] = {}
    for q, given, p in zip(incoming, explicit, pairings, strict=True):
        final = q.id if given else p.stored_id or next(new)
        out.append(replace(q, id=final))
        if not given and p.stored_id is not None and p.likeness < 1.0:
            edited[final] = p.likeness
    return out, edited
