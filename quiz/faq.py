"""Answering free text from the FAQ: BM25 over accented and accent-folded words."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from quiz.model import FaqEntry
from quiz.text import folded_tokens, tokens

# Words that carry no topic in a question ("là gì", "cho hỏi"), in folded form.
_STOP = frozenset("la gi nao toi minh cho hoi cua va duoc a oi em nhe vay sao nhu co khong the i "
                  "what is how do".split())
_K1 = 1.2
_B = 0.75


def terms(text: str) -> list[str]:
    """Index terms: accented words, folded words and folded word pairs."""
    folded = [w for w in folded_tokens(text) if w not in _STOP]
    # Accented forms only where they differ: an unaccented query is judged on folded words alone.
    accented = [w for w in tokens(text) if (f := folded_tokens(w)) and f[0] not in _STOP and f[0] != w]
    pairs = [f"{a}_{b}" for a, b in zip(folded, folded[1:], strict=False)]
    return [f"~{w}" for w in accented] + folded + pairs


def _folded_set(text: str) -> frozenset[str]:
    return frozenset(t for t in terms(text) if not t.startswith("~"))


class Confidence(StrEnum):
    SURE = "sure"
    UNSURE = "unsure"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Match:
    confidence: Confidence
    entries: tuple[FaqEntry, ...]


class FaqIndex:
    """BM25 over FAQ entries; each entry is its questions and paraphrases."""

    def __init__(self, entries: Sequence[FaqEntry], *, sure: float = 0.3, margin: float = 1.5,
                 floor: float = 0.2) -> None:
        self.entries = tuple(entries)
        self._sure, self._margin, self._floor = sure, margin, floor
        docs = [self._doc(e) for e in self.entries]
        # Each phrasing on its own, folded terms only, for the closest-phrasing overlap.
        self._phrasings = [[_folded_set(t) for t in [*e.question.values(), *e.paraphrases]] for e in self.entries]
        self._tf = [Counter(d) for d in docs]
        self._len = [len(d) for d in docs]
        self._avg = (sum(self._len) / len(docs)) if docs else 1.0
        df: Counter[str] = Counter()
        for tf in self._tf:
            df.update(tf.keys())
        n = len(docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._unseen = math.log(1 + (n + 0.5) / 0.5)  # a word no entry uses weighs as the rarest

    @staticmethod
    def _doc(entry: FaqEntry) -> list[str]:
        texts = [*entry.question.values(), *entry.paraphrases]
        return [t for text in texts for t in terms(text)]

    def scores(self, query: str) -> list[tuple[float, FaqEntry]]:
        """Entries scored 0..1: BM25 as a share of the query's weight, blended with the
        weighted overlap between the query and the entry's closest phrasing."""
        q = set(terms(query))
        mass = sum(self._weight(t) for t in q) * (_K1 + 1)
        if not q:
            return []
        qf = _folded_set(query)
        out = []
        for entry, tf, length, phrasings in zip(self.entries, self._tf, self._len, self._phrasings, strict=True):
            s = 0.0
            for t in q:
                f = tf.get(t, 0)
                if f:
                    s += self._idf[t] * f * (_K1 + 1) / (f + _K1 * (1 - _B + _B * length / self._avg))
            if s > 0:
                closest = max(self._overlap(qf, p) for p in phrasings) if phrasings else 0.0
                out.append(((s / mass + closest) / 2, entry))
        out.sort(key=lambda pair: -pair[0])
        return out

    def _weight(self, term: str) -> float:
        return self._idf.get(term, self._unseen)

    def _overlap(self, a: frozenset[str], b: frozenset[str]) -> float:
        """Dice coefficient of two term sets, each term weighted by its IDF."""
        total = sum(map(self._weight, a)) + sum(map(self._weight, b))
        return 2 * sum(map(self._weight, a & b)) / total if total else 0.0

    def match(self, query: str) -> Match:
        """A sure answer, up to three "did you mean" choices, or nothing."""
        ranked = self.scores(query)
        if not ranked or ranked[0][0] < self._floor:
            return Match(Confidence.NONE, ())
        top = ranked[0][0]
        second = ranked[1][0] if len(ranked) > 1 else 0.0
        if top >= self._sure and top >= second * self._margin:
            return Match(Confidence.SURE, (ranked[0][1],))
        close = tuple(e for s, e in ranked[:3] if s >= self._floor)
        return Match(Confidence.UNSURE, close)
