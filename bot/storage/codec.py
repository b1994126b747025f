"""Turning core value objects into JSON columns and back."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from quiz.attempts import PaperItem
from quiz.model import FaqEntry, Prizes, Round, RulesSection, Tip, Unit


def paper_to_json(paper: tuple[PaperItem, ...]) -> list[list[Any]]:
    return [[item.question_id, list(item.order)] for item in paper]


def paper_from_json(raw: list[list[Any]]) -> tuple[PaperItem, ...]:
    return tuple(PaperItem(str(qid), tuple(int(i) for i in order)) for qid, order in raw)


def round_to_json(r: Round) -> dict[str, Any]:
    return {
        "title": dict(r.title), "question_set": r.question_set, "questions_per_attempt": r.questions_per_attempt,
        "time_limit_s": int(r.time_limit.total_seconds()),
        "opens": r.opens.isoformat() if r.opens else None, "closes": r.closes.isoformat() if r.closes else None,
        "attempts_per_round": r.attempts_per_round, "attempts_per_day": r.attempts_per_day,
        "practice": r.practice, "prediction": r.prediction, "topic_quotas": dict(r.topic_quotas),
        "difficulty_quotas": dict(r.difficulty_quotas),
    }


def round_from_json(code: str, raw: dict[str, Any]) -> Round:
    return Round(
        code=code, title=raw["title"], question_set=raw["question_set"],
        questions_per_attempt=int(raw["questions_per_attempt"]), time_limit=timedelta(seconds=raw["time_limit_s"]),
        opens=datetime.fromisoformat(raw["opens"]) if raw["opens"] else None,
        closes=datetime.fromisoformat(raw["closes"]) if raw["closes"] else None,
        attempts_per_round=raw["attempts_per_round"], attempts_per_day=raw["attempts_per_day"],
        practice=bool(raw["practice"]), prediction=bool(raw["prediction"]), topic_quotas=raw["topic_quotas"],
        difficulty_quotas=raw.get("difficulty_quotas") or {},  # rounds stored before difficulty quotas have none
    )


def content_to_json(*, title: dict[str, str], organiser: dict[str, str], timezone: str, topics: dict[str, Any],
                    prizes: Prizes, collective_prizes: int, verified_phones: str, data_kept_days: int,
                    rules_version: str, rules: tuple[RulesSection, ...],
                    tips: tuple[Tip, ...], faq: tuple[FaqEntry, ...]) -> dict[str, Any]:
    return {
        "title": title, "organiser": organiser, "timezone": timezone, "topics": topics,
        "prizes": {k: v for k, v in prizes.ladder()}, "collective_prizes": collective_prizes,
        "verified_phones": verified_phones, "data_kept_days": data_kept_days,
        "rules_version": rules_version,
        "rules": [{"id": s.id, "title": dict(s.title), "body": dict(s.body)} for s in rules],
        "tips": [{"id": t.id, "topic": t.topic, "text": dict(t.text)} for t in tips],
        "faq": [{"id": e.id, "question": dict(e.question), "answer": dict(e.answer),
                 "paraphrases": list(e.paraphrases)} for e in faq],
    }


def rules_from_json(raw: list[dict[str, Any]]) -> tuple[RulesSection, ...]:
    return tuple(RulesSection(s["id"], s["title"], s["body"]) for s in raw)


def tips_from_json(raw: list[dict[str, Any]]) -> tuple[Tip, ...]:
    return tuple(Tip(t["id"], t["topic"], t["text"]) for t in raw)


def faq_from_json(raw: list[dict[str, Any]]) -> tuple[FaqEntry, ...]:
    return tuple(FaqEntry(e["id"], e["question"], e["answer"], tuple(e["paraphrases"])) for e in raw)


def unit_from_row(row: Any) -> Unit:
    return Unit(row.code, row.name, row.parent_code, row.kind, row.population)
