"""Questions that overlap: one whose text or explanation holds another's answer (a giveaway, when both
land on one paper or the explanation is shown first), and two that ask the same thing.

Texts are compared as accent-folded words and word pairs, each weighted by how rare it is in the bank,
so "dữ liệu cá nhân" weighs more than "theo quy định"."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import combinations

from quiz.bank.findings import Finding
from quiz.model import Question
from quiz.text import folded_tokens

# Words that say nothing of a question's subject, folded.
STOP = frozenset("""
    a ai bao ban bang boi cac cach cho chi co cua da dang day de den deu do duoc gi hay hoac khi khong la lam
    luc ma moi mot nao nay neu nguoi nhat nhu nhung noi o phai ra roi sao sau se tai the thi trong tu va ve
    vi voi vua thuoc sau day dung sai nen can phai
""".split())
SUBJECT_SHARE = 0.25  # how much of a question's subject the giver must share to be on the same matter
GIVEN_SHARE = 0.9  # how much of the answer's own words the giver must hold
NEAR = 0.5  # likeness of two questions (matter and answer together) at which they ask the same thing
NEAR_MATTER = 0.4  # and the least their matters must share
MIN_ANSWER_WEIGHT = 4.0  # an answer telling too little ("Có", "6") cannot be given away by chance words


def terms(text: str) -> set[str]:
    """Content words and every pair of neighbouring words, folded."""
    words = folded_tokens(text)
    return {w for w in words if w not in STOP} | {f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)}


class Overlap:
    """The bank's questions indexed by their terms, with each term's rarity."""

    def __init__(self, questions: Sequence[Question]) -> None:
        self.questions = list(questions)
        self.text = {q.id: terms(q.text) for q in questions}
        self.explanation = {q.id: terms(q.explanation) for q in questions}
        self.options = {q.id: [terms(o) for o in q.options] for q in questions}
        df: Counter[str] = Counter()
        for q in questions:
            df.update(self.text[q.id] | self.explanation[q.id] | set().union(*self.options[q.id]))
        n = max(len(questions), 1)
        self.idf = {t: math.log(1 + n / f) for t, f in df.items()}
        self._matter = {q.id: {t for t in self.text[q.id] | self.explanation[q.id] if "_" not in t} for q in questions}
        self._answer = {q.id: {t for t in self.options[q.id][q.correct] if "_" not in t} for q in questions}

    def weight(self, found: Iterable[str]) -> float:
        return sum(self.idf.get(t, 0.0) for t in found)

    def _telling(self, q: Question) -> set[str]:
        """The words of q's answer that neither its text nor its other options hold."""
        others = set().union(self.text[q.id], *(t for i, t in enumerate(self.options[q.id]) if i != q.correct))
        return self.options[q.id][q.correct] - others

    def giveaways(self) -> list[Finding]:
        """Each question whose text or explanation holds another's answer, on the same subject."""
        holders: dict[str, set[str]] = {}  # term → the questions whose text or explanation holds it
        for q in self.questions:
            for t in self.text[q.id] | self.explanation[q.id]:
                holders.setdefault(t, set()).add(q.id)
        out = []
        for given in self.questions:
            telling = self._telling(given)
            if self.weight(telling) < MIN_ANSWER_WEIGHT:
                continue
            rarest = min(telling, key=lambda t: len(holders.get(t, ())))
            subject = self.text[given.id]
            words = {t for t in subject if "_" not in t}
            for giver in self.questions:
                if giver.id == given.id or giver.id not in holders.get(rarest, ()):
                    continue
                for part, code in ((self.text[giver.id], "giveaway"),
                                   (self.explanation[giver.id], "giveaway_explained")):
                    holds = self.weight(telling & part) / self.weight(telling)
                    shared = max(self.weight(subject & part) / max(self.weight(subject), 1e-9),
                                 self.weight(words & part) / max(self.weight(words), 1e-9))
                    if holds >= GIVEN_SHARE and shared >= SUBJECT_SHARE:
                        out.append(Finding(code, (giver.id, given.id), {
                            "other": given.id, "answer": given.options[given.correct]}))
                        break
        return out

    def _dice(self, x: set[str], y: set[str]) -> float:
        total = self.weight(x) + self.weight(y)
        return 2 * self.weight(x & y) / total if total else 0.0

    def likeness(self, a: Question, b: Question) -> float:
        """0..1: how alike two questions' matters (text and explanation) and answers are, together; 0
        when the matters share too little, however alike the answers."""
        answer = self._dice(self._answer[a.id], self._answer[b.id])
        if answer * 1.0 < NEAR * NEAR:
            return 0.0  # even the same matter could not make up for it
        matter = self._dice(self._matter[a.id], self._matter[b.id])
        return (matter * answer) ** 0.5 if matter >= NEAR_MATTER else 0.0

    def near_duplicates(self) -> list[Finding]:
        """Pairs of questions asking the same thing with the same answer, most alike first."""
        pairs = [(self.likeness(a, b), a, b) for a, b in combinations(self.questions, 2)]
        return [Finding("near_duplicate", (b.id, a.id), {"other": a.id, "likeness": round(100 * s)})
                for s, a, b in sorted(pairs, key=lambda p: -p[0]) if s >= NEAR]
