"""Validating raw questions, whatever file format they came from."""
from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from quiz.matching import rekeyed
from quiz.model import LETTERS, Difficulty, Localized, Question
from quiz.problems import Problem, sort_problems
from quiz.text import nfc, squash
from quiz.topics import TopicNames

MAX_QUESTION = 300  # Telegram-friendly lengths, checked on every import.
MAX_OPTION = 100
MAX_EXPLANATION = 200
MIN_OPTIONS, MAX_OPTIONS = 2, 6
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def _text(value: Any) -> str:
    return nfc(str(value)) if value is not None else ""


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")  # a pack's ISO dates; a sheet's dd/mm/yyyy


def parse_day(value: Any) -> date | None:
    """A day as packs and sheets write it ("2024-06-25", "25/6/2024", a YAML or Excel date); ValueError if
    it is none of them; None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _location(raw: Mapping[str, Any], index: int) -> tuple[int, str]:
    """The row, line or entry organisers see, and their own number for it (STT) when the file has one."""
    return index + 1, _text(raw.get("number"))


def parse_question(raw: Any, *, file: str, index: int, topics: TopicNames | Collection[str] | None,
                   unknown: dict[str, list[Problem]] | None = None) -> tuple[Question | None, list[Problem]]:
    """One raw mapping → a Question, or the problems that stop it. With `unknown`, a topic no name
    of which is known is collected there (by what was written) instead of being a problem per row."""
    where = f"#{index + 1}"
    if not isinstance(raw, Mapping):
        return None, [Problem(file, where, "not_a_mapping")]
    row, number = _location(raw, index)
    qid = _text(raw.get("id")) or f"q{index + 1}"
    where = f"#{index + 1} ({qid})" if raw.get("id") else where
    out: list[Problem] = []

    def bad(code: str, **params: object) -> None:
        out.append(Problem(file, where, code, params, row=row, number=number))

    if raw.get("id") is not None and not SLUG.match(qid):
        bad("bad_id", value=qid)
    text = _text(raw.get("text"))
    if not text:
        bad("empty_question")
    elif len(text) > MAX_QUESTION:
        bad("question_too_long", length=len(text), limit=MAX_QUESTION)
    written = _text(raw.get("topic"))
    names = topics if isinstance(topics, TopicNames) or topics is None else TopicNames(topics)
    topic = names.resolve(written) if names is not None else written
    if topic is None and unknown is not None:
        unknown.setdefault(written or "—", []).append(Problem(file, where, "unknown_topic", {"topic": written or "—"},
                                                               row=row, number=number))
    elif topic is None:
        bad("unknown_topic", topic=written or "—")
    options_raw = raw.get("options")
    if not isinstance(options_raw, Sequence) or isinstance(options_raw, str):
        options_raw = []
    options = [_text(o) for o in options_raw]
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        bad("option_count", count=len(options))
    for i, opt in enumerate(options):
        if not opt:
            bad("empty_option", letter=LETTERS[i] if i < len(LETTERS) else str(i + 1))
        elif len(opt) > MAX_OPTION:
            bad("option_too_long", letter=LETTERS[i] if i < len(LETTERS) else str(i + 1), length=len(opt),
                limit=MAX_OPTION)
    folded = [squash(o) for o in options if o]
    if len(set(folded)) != len(folded):
        bad("duplicate_options")
    answer = _text(raw.get("answer")).upper()
    correct = LETTERS.find(answer) if len(answer) == 1 else -1
    if correct < 0 or correct >= len(options):
        bad("bad_answer", value=answer or "—", letters=LETTERS[: max(len(options), 1)])
    explanation = _text(raw.get("explanation"))
    if len(explanation) > MAX_EXPLANATION:
        bad("explanation_too_long", length=len(explanation), limit=MAX_EXPLANATION)
    diff = _text(raw.get("difficulty")) or Difficulty.MEDIUM.value
    if diff not in {d.value for d in Difficulty}:
        bad("bad_difficulty", value=diff)
    window: dict[str, date | None] = {}
    for key in ("valid_from", "valid_until"):
        try:
            window[key] = parse_day(raw.get(key))
        except ValueError:
            bad("bad_date", key=key, value=_text(raw.get(key))[:40])
    first, last = window.get("valid_from"), window.get("valid_until")
    if first and last and last < first:
        bad("validity_reversed", first=first.strftime("%d/%m/%Y"), last=last.strftime("%d/%m/%Y"))
    if out or topic is None:
        return None, out
    return Question(
        id=qid, topic=topic, text=text, options=tuple(options), correct=correct,
        explanation=explanation, source=_text(raw.get("source")), difficulty=Difficulty(diff),
        valid_from=first, valid_until=last,
    ), []


@dataclass(frozen=True, slots=True)
class Parsed:
    """Questions read from a file, with what the import needs to know about how they were written."""

    questions: list[Question]
    problems: list[Problem]  # by row, each once
    explicit: list[bool]  # per question: the file gave its id (else it is matched by content)
    topics: dict[str, str]  # a topic as written → the topic it names, where the two differ


def read_questions(raws: Sequence[tuple[str, int, Any]], *,
                   topics: Mapping[str, Localized] | Collection[str] | None) -> Parsed:
    """Validate many raw questions (file, index, raw); also ids, near-duplicate texts, and topics
    named in a way the contest does not know (one problem listing them and the accepted names)."""
    names = TopicNames(topics) if topics is not None else None
    questions: list[Question] = []
    problems: list[Problem] = []
    explicit: list[bool] = []
    mapping: dict[str, str] = {}
    unknown: dict[str, list[Problem]] = {}
    seen_ids: dict[str, str] = {}
    seen_text: dict[str, str] = {}
    for file, index, raw in raws:
        q, found = parse_question(raw, file=file, index=index, topics=names, unknown=unknown)
        problems += found
        if q is None:
            continue
        given = bool(isinstance(raw, Mapping) and raw.get("id"))
        where = f"#{index + 1} ({q.id})"
        row, number = _location(raw, index)
        if given and q.id in seen_ids:
            problems.append(Problem(file, where, "duplicate_id", {"other": seen_ids[q.id]}, row=row, number=number))
        key = squash(q.text)
        if key in seen_text:
            problems.append(Problem(file, where, "duplicate_question", {"other": seen_text[key]}, row=row,
                                    number=number))
        if given:
            seen_ids.setdefault(q.id, f"{file} {where}")
        seen_text.setdefault(key, f"{file} {where}")
        written = _text(raw.get("topic"))
        if written != q.topic:
            mapping[written] = q.topic
        questions.append(q)
        explicit.append(given)
    if unknown and names is not None:
        first = min((p for ps in unknown.values() for p in ps), key=lambda p: (p.file, p.row))
        shown = "; ".join(f"«{written}» ({', '.join(p.where for p in ps[:5])}{', …' if len(ps) > 5 else ''})"
                          for written, ps in unknown.items())
        problems.append(Problem(first.file, "", "unknown_topics", {
            "topics": shown, "accepted": names.listing(topics if isinstance(topics, Mapping) else None)}))
    return Parsed(questions, sort_problems(problems), explicit, mapping)


def parse_questions(raws: Sequence[tuple[str, int, Any]], *,
                    topics: Mapping[str, Localized] | Collection[str] | None) -> tuple[list[Question], list[Problem]]:
    """Validate many raw questions (file, index, raw): the questions, and every problem by row."""
    parsed = read_questions(raws, topics=topics)
    return parsed.questions, parsed.problems


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a version came from: who published it, from which file, what it changed."""

    by: str
    source: str  # the file's name as the organiser knows it
    source_hash: str  # sha256 of the file's content
    summary: Mapping[str, int]  # added, removed, changed, rekeyed, answers_regraded, attempts_regraded
    restored_from: int | None = None  # the earlier version this one brings back


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One stored version of a set, for its history."""

    name: str
    version: int
    published_at: datetime
    count: int
    provenance: Provenance | None  # None for versions a contest pack loaded


@dataclass(frozen=True, slots=True)
class Publication:
    """What publishing a set did: the version now served, and whether it is a new one."""

    name: str
    version: int
    changed: bool
    count: int


@dataclass(frozen=True, slots=True)
class SetDiff:
    """What publishing `new` over `old` changes, by question id."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    rekeyed: tuple[str, ...]  # the correct answer moved: past attempts need regrading

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_sets(old: Sequence[Question], new: Sequence[Question]) -> SetDiff:
    before, after = {q.id: q for q in old}, {q.id: q for q in new}
    common = [i for i in after if i in before]
    return SetDiff(
        added=tuple(i for i in after if i not in before),
        removed=tuple(i for i in before if i not in after),
        changed=tuple(i for i in common if before[i] != after[i]),
        rekeyed=tuple(i for i in common if rekeyed(before[i], after[i])),
    )
