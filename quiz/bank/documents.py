"""Legal documents a question cites (số hiệu …/NĐ-CP, …/QĐ-TTg, …/TT-…, …/QH15, "Luật … năm 2023") and
whether one is dated after a round the question serves has opened: an answer that was not yet law.

A document's date comes from the text itself ("ngày 25/6/2024" right after its number), else from the
table of documents a Digital Citizen bank commonly cites, else only its year is known."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from quiz.bank.findings import Finding
from quiz.model import Question, Round
from quiz.text import fold, nfc

# Signing (or passing) dates of documents the banks cite, by folded number or name.
KNOWN = {
    "06/qd-ttg": date(2022, 1, 6), "749/qd-ttg": date(2020, 6, 3), "316/qd-ttg": date(2021, 3, 9),
    "874/qd-btttt": date(2021, 6, 17), "2345/qd-nhnn": date(2023, 12, 18),
    "59/2022/nd-cp": date(2022, 9, 5), "69/2024/nd-cp": date(2024, 6, 25), "13/2023/nd-cp": date(2023, 4, 17),
    "123/2020/nd-cp": date(2020, 10, 19), "45/2020/nd-cp": date(2020, 4, 8), "42/2022/nd-cp": date(2022, 6, 24),
    "61/2018/nd-cp": date(2018, 4, 23), "107/2021/nd-cp": date(2021, 12, 6), "63/2024/nd-cp": date(2024, 6, 10),
    "52/2024/nd-cp": date(2024, 5, 15), "104/2022/nd-cp": date(2022, 12, 21), "130/2018/nd-cp": date(2018, 9, 27),
    "118/2025/nd-cp": date(2025, 6, 9),
    "20/2023/qh15": date(2023, 6, 22), "26/2023/qh15": date(2023, 11, 27), "24/2018/qh14": date(2018, 6, 12),
    "91/2025/qh15": date(2025, 6, 26), "51/2005/qh11": date(2005, 11, 29),
    "luat giao dich dien tu 2023": date(2023, 6, 22), "luat can cuoc 2023": date(2023, 11, 27),
    "luat an ninh mang 2018": date(2018, 6, 12), "luat bao ve du lieu ca nhan 2025": date(2025, 6, 26),
}
_NUMBER = re.compile(r"\b(\d{1,4}/(?:\d{4}/)?(?:nđ-cp|qđ-ttg|qđ-\w+|tt-\w+|qh\d\d|nq-cp|ct-ttg|nq-ubtvqh\d\d))"
                     r"(?:\s+ngày\s+(\d{1,2})/(\d{1,2})/(\d{4}))?", re.IGNORECASE)
_LAW = re.compile(r"\b((?:bộ )?luật(?: [^\W\d_]+){1,6}?) (?:năm )?((?:19|20)\d\d)\b", re.IGNORECASE)
_YEAR = re.compile(r"/((?:19|20)\d\d)/")


@dataclass(frozen=True, slots=True)
class Citation:
    name: str  # as the text writes it: "69/2024/NĐ-CP", "Luật Căn cước 2023"
    day: date | None  # when it was signed or passed, if known
    year: int | None


def citations(text: str) -> list[Citation]:
    """The documents `text` cites, each once."""
    found: dict[str, Citation] = {}
    for m in _NUMBER.finditer(nfc(text)):
        number, key = m.group(1), fold(m.group(1))
        day = date(int(m.group(4)), int(m.group(3)), int(m.group(2))) if m.group(2) else KNOWN.get(key)
        year = _YEAR.search(number)
        found.setdefault(key, Citation(number, day, day.year if day else int(year.group(1)) if year else None))
    for m in _LAW.finditer(nfc(text)):
        name = f"{m.group(1)} {m.group(2)}"
        found.setdefault(fold(name), Citation(name, KNOWN.get(fold(name)), int(m.group(2))))
    return list(found.values())


def _served_from(q: Question, r: Round, tz: tzinfo) -> date | None:
    """The first day a paper of `r` may hold `q`; None when it never does or the round has no start."""
    if r.opens is None:
        return None
    first = r.opens.astimezone(tz).date()
    last = r.closes.astimezone(tz).date() if r.closes else None
    start = max(first, q.valid_from) if q.valid_from else first
    if (last is not None and start > last) or (q.valid_until is not None and q.valid_until < start):
        return None
    return start


def _newer(c: Citation, day: date) -> bool:
    return c.day > day if c.day else c.year is not None and c.year > day.year


def document_findings(questions: Sequence[Question], rounds: Iterable[Round], *, tz: tzinfo) -> list[Finding]:
    """Each question citing a document dated after a round it serves opened (or after the day its
    validity lets it in), naming the round and the document."""
    dated = [r for r in rounds if r.opens is not None]
    out = []
    for q in questions:
        cited = citations(" ".join((q.text, q.explanation, q.source)))
        for r in dated:
            served = _served_from(q, r, tz)
            late = [c for c in cited if served and _newer(c, served)]
            if served and late:
                c = late[0]
                out.append(Finding("newer_document", (q.id,), {
                    "document": c.name,
                    "signed": c.day.strftime("%d/%m/%Y") if c.day else str(c.year),
                    "round": r.title.get("vi") or r.code, "opens": datetime.combine(served, datetime.min.time())
                    .strftime("%d/%m/%Y")}))
    return out
