"""A contest pack: contest settings, rules, questions, tips, FAQ and units, validated whole."""
from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from quiz.identity import VerifiedRule
from quiz.model import Contest, Difficulty, FaqEntry, Localized, Prizes, QuestionSet, Round, RulesSection, Tip, Unit
from quiz.problems import Invalid, Problem
from quiz.questions import SLUG, parse_questions
from quiz.text import nfc, squash, whole_number
from quiz.validity import shortfall

MAX_RULES_BODY = 1500
MAX_TIP = 600
MAX_FAQ_ANSWER = 800
TIME_FORMAT = "%Y-%m-%d %H:%M"  # opens/closes in a pack, in the contest's time zone
DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LEVEL_NAMES = {"de": "easy", "trung binh": "medium", "kho": "hard"}


class PackReader(Protocol):
    """Reads a pack's files by relative name; raises FileNotFoundError or ValueError."""

    def data(self, name: str) -> Any: ...

    def text(self, name: str) -> str: ...


@dataclass(frozen=True, slots=True)
class ContestPack:
    contest: Contest
    question_sets: tuple[QuestionSet, ...]
    rules_version: str
    rules: tuple[RulesSection, ...]
    tips: tuple[Tip, ...]
    faq: tuple[FaqEntry, ...]
    units: tuple[Unit, ...]


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, where: str, code: str, **params: object) -> None:
        self.problems.append(Problem(file, where, code, params))


def _localized(value: Any) -> Localized | None:
    if isinstance(value, str) and value.strip():
        return {"vi": nfc(value)}
    if isinstance(value, Mapping) and value and all(isinstance(v, str) for v in value.values()):
        return {str(k): nfc(v) for k, v in value.items() if v.strip()} or None
    return None


def _read(reader: PackReader, name: str, out: _Collector, *, text: bool = False) -> Any:
    try:
        return reader.text(name) if text else reader.data(name)
    except FileNotFoundError:
        out.add(name, "", "missing_file")
    except ValueError as exc:
        out.add(name, "", "unreadable_file", detail=str(exc)[:200])
    return None


def parse_units(text: str, *, file: str) -> tuple[list[Unit], list[Problem]]:
    """Units from CSV with columns code,name,parent_code,kind,population."""
    out = _Collector()
    units: list[Unit] = []
    # Lines starting with "#" before the header say where the names and figures come from.
    lines = text.splitlines(keepends=True)
    skipped = next((i for i, line in enumerate(lines) if not line.lstrip().startswith("#")), len(lines))
    rows = csv.DictReader(io.StringIO("".join(lines[skipped:])))
    needed = {"code", "name", "parent_code", "kind", "population"}
    if not rows.fieldnames or not needed <= set(rows.fieldnames):
        out.add(file, str(skipped + 1), "units_columns", columns=", ".join(sorted(needed)))
        return [], out.problems
    codes: set[str] = set()
    for line, row in enumerate(rows, start=skipped + 2):
        code, name = nfc(row["code"] or ""), nfc(row["name"] or "")
        parent = nfc(row["parent_code"] or "") or None
        pop_text = (row["population"] or "").strip().replace(".", "").replace(",", "")
        if not code or not name:
            out.add(file, str(line), "unit_incomplete")
            continue
        if code in codes:
            out.add(file, str(line), "duplicate_id", other=code)
            continue
        if parent is not None and parent not in codes:
            out.add(file, str(line), "unit_parent", parent=parent)
            continue
        population = whole_number(pop_text) if pop_text else None
        if pop_text and population is None:
            out.add(file, str(line), "unit_population", value=row["population"])
            continue
        codes.add(code)
        units.append(Unit(code, name, parent, nfc(row["kind"] or ""), population))
    if not units and not out.problems:
        out.add(file, "", "units_empty")
    return units, out.problems


def _round(raw: Any, i: int, tz: ZoneInfo, out: _Collector, file: str) -> Round | None:
    where = f"rounds #{i + 1}"
    if not isinstance(raw, Mapping):
        out.add(file, where, "not_a_mapping")
        return None
    code = str(raw.get("code", ""))
    if not SLUG.match(code):
        out.add(file, where, "bad_id", value=code)
        return None
    where = f"rounds {code}"

    def when(key: str) -> datetime | None:
        value = raw.get(key)
        if value is None:
            return None
        try:
            return datetime.strptime(str(value), TIME_FORMAT).replace(tzinfo=tz)
        except ValueError:
            out.add(file, where, "bad_time", key=key, value=str(value))
            return None

    def number(key: str, low: int, high: int, default: int | None) -> int | None:
        value = raw.get(key, default)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            out.add(file, where, "bad_number", key=key, value=str(value), low=low, high=high)
            return None
        return value

    practice = bool(raw.get("practice", False))
    count = number("questions_per_attempt", 1 if practice else 10, 40, None)
    minutes = number("time_limit_minutes", 1, 60, None)
    quotas = raw.get("topic_quotas") or {}
    if not isinstance(quotas, Mapping) or not all(isinstance(v, int) and v >= 0 for v in quotas.values()):
        out.add(file, where, "bad_quotas")
        quotas = {}
    levels = raw.get("difficulty_quotas") or {}
    kinds = {d.value for d in Difficulty}
    if isinstance(levels, Mapping):  # "dễ", "trung bình", "khó" as organisers say them
        levels = {LEVEL_NAMES.get(squash(str(k)), str(k)): v for k, v in levels.items()}
    if not isinstance(levels, Mapping) or not all(str(k) in kinds and isinstance(v, int) and not isinstance(v, bool)
                                                  and v >= 0 for k, v in levels.items()):
        out.add(file, where, "bad_levels", levels=", ".join(sorted(kinds)))
        levels = {}
    title = _localized(raw.get("title")) or {"vi": code}
    opens, closes = when("opens"), when("closes")
    if opens and closes and closes <= opens:
        out.add(file, where, "closes_before_opens")
    if count is None or minutes is None:
        if count is None and "questions_per_attempt" not in raw:
            out.add(file, where, "missing_key", key="questions_per_attempt")
        if minutes is None and "time_limit_minutes" not in raw:
            out.add(file, where, "missing_key", key="time_limit_minutes")
        return None
    return Round(
        code=code, title=title, question_set=str(raw.get("question_set", "")),
        questions_per_attempt=count, time_limit=timedelta(minutes=minutes), opens=opens, closes=closes,
        attempts_per_round=number("attempts_per_round", 1, 1000, None),
        attempts_per_day=number("attempts_per_day", 1, 1000, None),
        practice=practice, prediction=bool(raw.get("prediction", False)),
        topic_quotas={str(k): int(v) for k, v in quotas.items()},
        difficulty_quotas={str(k): int(v) for k, v in levels.items() if v},
    )


def parse_round(raw: Any, *, tz: ZoneInfo, file: str = "contest.yaml", index: int = 0) -> tuple[Round | None,
                                                                                                list[Problem]]:
    """One round from its pack form (the mapping under `rounds:`), by the pack's rules."""
    out = _Collector()
    return _round(raw, index, tz, out, file), out.problems


def round_fit_problems(r: Round, *, sets: Mapping[str, QuestionSet], topics: Mapping[str, Localized],
                       file: str = "contest.yaml", tz: tzinfo = DEFAULT_TZ,
                       now: datetime | None = None) -> list[Problem]:
    """Whether the round's question set, quotas and topics can fill its papers, at every moment it is
    open (from `now` on, if given) with the questions right for a whole attempt."""
    out = _Collector()
    _check_round_fits(r, sets, topics, out, file, tz, now)
    return out.problems


def load_pack(reader: PackReader, *, now: datetime | None = None) -> ContestPack:
    """Read and validate a whole pack; raise Invalid listing every problem found. Rounds are checked
    for the questions valid while they are open (from `now` on, if given)."""
    out = _Collector()
    meta = _read(reader, "contest.yaml", out)
    if not isinstance(meta, Mapping):
        if meta is not None:
            out.add("contest.yaml", "", "not_a_mapping")
        raise Invalid(out.problems)
    cfile = "contest.yaml"
    slug = str(meta.get("slug", ""))
    if not SLUG.match(slug):
        out.add(cfile, "slug", "bad_id", value=slug)
    tz_name = str(meta.get("timezone", "Asia/Ho_Chi_Minh"))
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        out.add(cfile, "timezone", "bad_timezone", value=tz_name)
        tz = ZoneInfo("Asia/Ho_Chi_Minh")
    topics: dict[str, Localized] = {}
    for key, label in (meta.get("topics") or {}).items():
        loc = _localized(label)
        if not SLUG.match(str(key)) or loc is None:
            out.add(cfile, f"topics {key}", "bad_topic")
        else:
            topics[str(key)] = loc
    sets: list[QuestionSet] = []
    for s in meta.get("question_sets") or []:
        name = str(s.get("name", "")) if isinstance(s, Mapping) else ""
        files = s.get("files", []) if isinstance(s, Mapping) else []
        if not SLUG.match(name) or not files:
            out.add(cfile, "question_sets", "bad_question_set", name=name)
            continue
        raws: list[tuple[str, int, Any]] = []
        for f in files:
            doc = _read(reader, str(f), out)
            items = doc.get("questions") if isinstance(doc, Mapping) else None
            if doc is not None and not isinstance(items, list):
                out.add(str(f), "", "no_questions")
            raws += [(str(f), i, q) for i, q in enumerate(items or [])]
        questions, found = parse_questions(raws, topics=topics)
        out.problems += found
        sets.append(QuestionSet(name, 1, tuple(questions)))
    set_by_name = {s.name: s for s in sets}
    rounds = [r for i, raw in enumerate(meta.get("rounds") or []) if (r := _round(raw, i, tz, out, cfile))]
    if not rounds:
        out.add(cfile, "rounds", "no_rounds")
    for r in rounds:
        _check_round_fits(r, set_by_name, topics, out, cfile, tz, now)
    if len({r.code for r in rounds}) != len(rounds):
        out.add(cfile, "rounds", "duplicate_id", other="round code")
    prizes_raw = meta.get("prizes") or {}
    try:
        prizes = Prizes(**{k: int(v) for k, v in prizes_raw.items()})
    except (TypeError, ValueError):
        out.add(cfile, "prizes", "bad_prizes")
        prizes = Prizes()
    try:
        verified = VerifiedRule(str(meta.get("verified_phones") or VerifiedRule.OPTIONAL.value))
    except ValueError:
        out.add(cfile, "verified_phones", "bad_setting", allowed="optional, win, rank")
        verified = VerifiedRule.OPTIONAL
    kept = meta.get("data_kept_days", 90)
    if isinstance(kept, bool) or not isinstance(kept, int) or not 0 <= kept <= 3650:
        out.add(cfile, "data_kept_days", "bad_setting", allowed="0–3650")
        kept = 90
    contest = Contest(
        slug=slug, title=_localized(meta.get("title")) or {"vi": slug},
        organiser=_localized(meta.get("organiser")) or {"vi": ""}, timezone=tz_name, topics=topics,
        rounds=tuple(rounds), prizes=prizes, collective_prizes=int(meta.get("collective_prizes", 3)),
        verified_phones=verified, data_kept_days=kept,
    )
    version, rules = _rules(_read(reader, str(meta.get("rules", "rules.yaml")), out), out, str(meta.get("rules",
                                                                                                        "rules.yaml")))
    tips = _tips(_read(reader, str(meta.get("tips", "tips.yaml")), out), topics, out, str(meta.get("tips",
                                                                                                   "tips.yaml")))
    faq = _faq(_read(reader, str(meta.get("faq", "faq.yaml")), out), out, str(meta.get("faq", "faq.yaml")))
    ufile = str(meta.get("units", "units.csv"))
    units_text = _read(reader, ufile, out, text=True)
    units: list[Unit] = []
    if units_text is not None:
        units, found = parse_units(units_text, file=ufile)
        out.problems += found
    if out.problems:
        raise Invalid(out.problems)
    return ContestPack(contest, tuple(sets), version, tuple(rules), tuple(tips), tuple(faq), tuple(units))


def _check_round_fits(r: Round, sets: Mapping[str, QuestionSet], topics: Mapping[str, Localized],
                      out: _Collector, file: str, tz: tzinfo, now: datetime | None) -> None:
    where = f"rounds {r.code}"
    qs = sets.get(r.question_set)
    if qs is None:
        out.add(file, where, "unknown_question_set", name=r.question_set)
        return
    before = len(out.problems)
    if len(qs.questions) < r.questions_per_attempt:
        out.add(file, where, "set_too_small", have=len(qs.questions), need=r.questions_per_attempt)
    if max(sum(r.topic_quotas.values()), sum(r.difficulty_quotas.values())) > r.questions_per_attempt:
        out.add(file, where, "quotas_exceed_count")
    for topic, n in r.topic_quotas.items():
        have = sum(1 for q in qs.questions if q.topic == topic)
        if topic not in topics:
            out.add(file, where, "unknown_topic", topic=topic)
        elif have < n:
            out.add(file, where, "topic_too_small", topic=topic, have=have, need=n)
    for level, n in r.difficulty_quotas.items():
        have = sum(1 for q in qs.questions if q.difficulty.value == level)
        if have < n:
            out.add(file, where, "level_too_small", level=level, have=have, need=n)
    if len(out.problems) > before:
        return
    short = shortfall(r, qs.questions, tz=tz, now=now)
    if short is not None and short.moment is None:
        out.add(file, where, "levels_unmet")
    elif short is not None and short.moment is not None:
        out.add(file, where, "valid_too_few", day=short.moment.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
                have=short.have, need=short.need)


def _entries(doc: Any, key: str, out: _Collector, file: str) -> list[Mapping[str, Any]]:
    if doc is None:
        return []
    items = doc.get(key) if isinstance(doc, Mapping) else None
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        out.add(file, "", "no_entries", key=key)
        return []
    return items


def _rules(doc: Any, out: _Collector, file: str) -> tuple[str, list[RulesSection]]:
    sections = []
    for i, raw in enumerate(_entries(doc, "sections", out, file)):
        title, body = _localized(raw.get("title")), _localized(raw.get("body"))
        where = f"#{i + 1} ({raw.get('id', '')})"
        if title is None or body is None:
            out.add(file, where, "incomplete_entry")
            continue
        if max(len(b) for b in body.values()) > MAX_RULES_BODY:
            out.add(file, where, "text_too_long", limit=MAX_RULES_BODY)
        sections.append(RulesSection(str(raw.get("id", i + 1)), title, body))
    if doc is not None and not sections:
        out.add(file, "", "no_entries", key="sections")
    version = str(doc.get("version", "1")) if isinstance(doc, Mapping) else "1"
    return version, sections


def _tips(doc: Any, topics: Mapping[str, Localized], out: _Collector, file: str) -> list[Tip]:
    tips = []
    for i, raw in enumerate(_entries(doc, "tips", out, file)):
        text, topic = _localized(raw.get("text")), str(raw.get("topic", ""))
        where = f"#{i + 1} ({raw.get('id', '')})"
        if text is None:
            out.add(file, where, "incomplete_entry")
        elif topic not in topics:
            out.add(file, where, "unknown_topic", topic=topic)
        elif max(len(t) for t in text.values()) > MAX_TIP:
            out.add(file, where, "text_too_long", limit=MAX_TIP)
        else:
            tips.append(Tip(str(raw.get("id", i + 1)), topic, text))
    return tips


def _faq(doc: Any, out: _Collector, file: str) -> list[FaqEntry]:
    entries = []
    for i, raw in enumerate(_entries(doc, "faq", out, file)):
        q, a = _localized(raw.get("question")), _localized(raw.get("answer"))
        where = f"#{i + 1} ({raw.get('id', '')})"
        paraphrases = tuple(nfc(str(p)) for p in raw.get("paraphrases") or [])
        if q is None or a is None:
            out.add(file, where, "incomplete_entry")
        elif max(len(t) for t in a.values()) > MAX_FAQ_ANSWER:
            out.add(file, where, "text_too_long", limit=MAX_FAQ_ANSWER)
        else:
            entries.append(FaqEntry(str(raw.get("id", i + 1)), q, a, paraphrases))
    return entries
