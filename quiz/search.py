"""One search over everything a citizen may ask about in their own words: FAQ entries, tips and the
rules' sections. Words are accent-folded, citizens' shorthand and synonyms are written one way
("ko" → "không", "lần" → "lượt", "mk" → "mật khẩu"), and a word the contest never uses is read as the
closest one it does ("thoi gain" → "thời gian"). An item is answered directly when it is clearly best;
"did you mean" offers at most three only when they really compete."""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from quiz.model import FaqEntry, Localized, RulesSection, Tip
from quiz.text import folded_tokens

# Citizens' shorthand and synonyms, folded, each written the one way the index uses.
SYNONYMS: Mapping[str, str] = {
    "lan": "luot", "phan thuong": "giai", "giai thuong": "giai", "co cau giai": "giai",
    "dt": "dien thoai", "dthoai": "dien thoai", "sdt": "so dien thoai", "sđt": "so dien thoai",
    "mk": "mat khau", "pass": "mat khau", "password": "mat khau", "pw": "mat khau",
    "ko": "khong", "k": "khong", "kg": "khong", "hong": "khong", "hok": "khong", "kh": "khong", "khg": "khong",
    "dc": "duoc", "dk": "dang ky", "dky": "dang ky", "ntn": "nhu the nao", "sao": "nhu the nao",
    "lam sao": "nhu the nao", "the nao": "nhu the nao", "bn": "bao nhieu", "j": "gi", "tk": "tai khoan",
    "acc": "tai khoan", "tg": "thoi gian", "bh": "bao gio", "khi nao": "bao gio", "luc nao": "bao gio",
    "ngay nao": "bao gio", "may gio": "bao gio", "han chot": "ket thuc", "deadline": "ket thuc",
    "cham nhat": "ket thuc", "het han": "ket thuc", "btc": "ban to chuc", "ad": "ban to chuc",
    "admin": "ban to chuc", "cccd": "can cuoc", "scam": "lua dao", "gia mao": "lua dao",
    "mao danh": "lua dao", "luadao": "lua dao", "vnid": "vneid", "vn eid": "vneid", "dinh danh": "vneid",
    "ma xac thuc": "otp", "ma xac nhan": "otp", "ma otp": "otp", "ng": "nguoi",
    "co duoc thi": "doi tuong", "co duoc du thi": "doi tuong", "co duoc tham gia": "doi tuong",
    "duoc thi khong": "doi tuong", "thi sinh": "nguoi du thi", "ai duoc": "doi tuong",
    "ai co the": "doi tuong", "dieu kien": "doi tuong",
    "khieu nai": "phuc khao", "thac mac": "phuc khao", "kien nghi": "phuc khao", "khang nghi": "phuc khao",
    "may luot": "bao nhieu luot", "may lan": "bao nhieu luot", "may cau": "bao nhieu cau",
    "may phut": "bao nhieu phut", "may tuan": "bao nhieu tuan", "may giai": "bao nhieu giai",
    "may nguoi": "bao nhieu nguoi", "may ngay": "bao nhieu ngay", "may buoc": "bao nhieu buoc",
    "xin chao": "", "chao ban": "", "chao": "", "hello": "", "hi": "", "alo": "",
    "wi fi": "wifi", "wi": "wifi", "cam on": "", "thanks": "", "thank you": "", "tks": "",
    "ok": "", "a": "", "ah": "", "z": "", "v": "", "vay": "", "nhe": "", "nha": "", "oi": "", "shop": "",
    "ad oi": "", "cho em hoi": "", "cho minh hoi": "", "cho hoi": "", "xin hoi": "",
}
# Words that carry no subject in a question, folded (after synonyms).
STOP = frozenset("""
    la gi nao toi minh em anh chi ban cho hoi cua va duoc co khong the i a nhu thi ve voi tu do day nay gom nhung
    thi what is how do can i the a an of to
""".split())
# Everyday words a contest's texts may never use: never "corrected" into one that they do.
EVERYDAY = frozenset("""
    chao alo hello cam tien tam biet ngu ngon vui buon doi qua troi dep mua nang hom mai nay toi sang chieu
    yeu thuong nhe oke okie uhm hihi haha hehe chuc mung nam moi tet com pho nuoc che ruou bia choi hat
    nhac phim bong game thich ghet met khoe om benh nhau chung minh anh chi em ong con chau
""".split())
_LONGEST = max(len(k.split()) for k in SYNONYMS)
SURE, MARGIN, FLOOR = 0.3, 1.4, 0.2  # a sure answer; how far ahead of the next; below this, nothing
ALONE = 2.5  # a modest score this many times the next one's is still clearly the best
# An FAQ entry is an answer written for a question; a rules section or a tip answers it less directly.
KIND_WEIGHT = {"faq": 1.0, "rules": 0.75, "tip": 0.85}
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+")
_K1, _B = 1.2, 0.75


def normalised(text: str) -> list[str]:
    """Folded words with shorthand and synonyms written one way (longest phrase first; twice, so that
    "ai dc" becomes "ai duoc", then "doi tuong")."""
    return _rewritten(_rewritten(folded_tokens(text)))


def _rewritten(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(_LONGEST, len(words) - i), 0, -1):
            phrase = " ".join(words[i:i + n])
            if phrase in SYNONYMS:
                out += SYNONYMS[phrase].split()
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


def terms(words: Sequence[str]) -> list[str]:
    """Index terms: content words and neighbouring pairs of them."""
    content = [w for w in words if w not in STOP]
    return content + [f"{a}_{b}" for a, b in zip(content, content[1:], strict=False)]


def slips(a: str, b: str) -> int:
    """Letters to add, drop, change or swap to turn `a` into `b` (optimal string alignment)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


class Kind(StrEnum):
    FAQ = "faq"
    TIP = "tip"
    RULES = "rules"


@dataclass(frozen=True, slots=True)
class Item:
    """Something the search can answer with: what it is, its id, and what it says."""

    kind: Kind
    id: str
    title: Localized  # the FAQ question, the rules section's title, the tip's topic
    phrasings: tuple[str, ...]  # ways it is asked (the title, paraphrases)
    body: tuple[str, ...]  # what it says, in every language
    topic: str = ""  # a tip's topic


class Confidence(StrEnum):
    SURE = "sure"
    UNSURE = "unsure"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Found:
    confidence: Confidence
    items: tuple[Item, ...]


def items_of(faq: Sequence[FaqEntry], tips: Sequence[Tip], rules: Sequence[RulesSection],
             topics: Mapping[str, Localized]) -> list[Item]:
    """Everything a contest answers, as search items."""
    out = [Item(Kind.FAQ, e.id, e.question, (*e.question.values(), *e.paraphrases), tuple(e.answer.values()))
           for e in faq]
    out += [Item(Kind.RULES, s.id, s.title, tuple(s.title.values()), tuple(s.body.values())) for s in rules]
    out += [Item(Kind.TIP, t.id, topics.get(t.topic, {"vi": t.topic}),
                 tuple(s for text in t.text.values() for s in _SENTENCE.split(text) if s.strip()),
                 (*t.text.values(), *topics.get(t.topic, {}).values()), t.topic) for t in tips]
    return out


class AnswerIndex:
    """BM25 over every item's phrasings (counted twice) and body, blended with how close the query is
    to the item's closest phrasing."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.items = tuple(items)
        docs = [[t for text in (*i.phrasings, *i.phrasings, *i.body) for t in terms(normalised(text))]
                for i in self.items]
        self._phrasings = [[frozenset(terms(normalised(p))) for p in i.phrasings] for i in self.items]
        self._tf = [Counter(d) for d in docs]
        self._len = [len(d) for d in docs]
        self._avg = (sum(self._len) / len(docs)) if docs else 1.0
        df: Counter[str] = Counter()
        for tf in self._tf:
            df.update(tf.keys())
        n = len(docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._unseen = math.log(1 + (n + 0.5) / 0.5)
        self._count = Counter(w for i in self.items for text in (*i.phrasings, *i.body) for w in folded_tokens(text))
        self._known = set(self._count) | EVERYDAY | {w for phrase in (*SYNONYMS, *STOP) for w in phrase.split()}
        self._vocabulary = sorted(w for w in self._count if len(w) >= 2 and w.isalpha())

    def _spelled(self, text: str) -> str:
        """Each word neither the contest nor everyday talk uses read as the contest's word one slip away
        (a letter missed, doubled, swapped or wrong; two in a long word), the commonest if several."""
        out = []
        for w in folded_tokens(text):
            if w in self._known or len(w) < 3 or not w.isalpha():
                out.append(w)
                continue
            most = 1 if len(w) < 7 else 2
            near = [(slips(w, v), -self._count[v], v) for v in self._vocabulary if abs(len(v) - len(w)) <= most]
            best = min((n for n in near if n[0] <= most), default=None)
            out.append(best[2] if best else w)
        return " ".join(out)

    def scores(self, query: str) -> list[tuple[float, Item]]:
        """Items scored 0..1, best first."""
        q = set(terms(normalised(self._spelled(query))))
        if not q:
            return []
        mass = sum(self._weight(t) for t in q) * (_K1 + 1)
        out = []
        for item, tf, length, phrasings in zip(self.items, self._tf, self._len, self._phrasings, strict=True):
            s = 0.0
            for t in q:
                f = tf.get(t, 0)
                if f:
                    s += self._idf[t] * f * (_K1 + 1) / (f + _K1 * (1 - _B + _B * length / self._avg))
            if s > 0:
                closest = max((self._overlap(q, p) for p in phrasings), default=0.0)
                out.append((KIND_WEIGHT[item.kind.value] * (0.35 * s / mass + (1 - 0.35) * closest), item))
        out.sort(key=lambda pair: -pair[0])
        return out

    def _weight(self, term: str) -> float:
        return self._idf.get(term, self._unseen)

    def _overlap(self, a: frozenset[str] | set[str], b: frozenset[str]) -> float:
        total = sum(map(self._weight, a)) + sum(map(self._weight, b))
        return 2 * sum(map(self._weight, a & b)) / total if total else 0.0

    def find(self, query: str) -> Found:
        """A sure answer, up to three that really compete, or nothing."""
        ranked = self.scores(query)
        if not ranked or ranked[0][0] < FLOOR:
            return Found(Confidence.NONE, ())
        top = ranked[0][0]
        second = ranked[1][0] if len(ranked) > 1 else 0.0
        close = tuple(i for s, i in ranked[:3] if s >= FLOOR and s * MARGIN >= top)
        if len(close) == 1 and (top >= SURE or top >= ALONE * second):
            return Found(Confidence.SURE, close)  # nothing else comes near: clearly the best, if modest
        # An FAQ entry written for the question is not in competition with a rules section or a tip
        # saying the same: only another FAQ entry as close makes it unsure.
        written = [i for i in close if i.kind is Kind.FAQ]
        if top >= SURE and len(written) == 1:
            return Found(Confidence.SURE, (written[0],))
        return Found(Confidence.UNSURE, close)
