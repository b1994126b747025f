"""Rows the pages and the exports share: leaderboard lines, winners and units by level, as staff see them.

The figures themselves (which round, the ranking, winners, collective ranking) are quiz.services.Standings'."""
from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.exports import BoardRow, WinnerRow
from bot.web.admin.context import Admin
from bot.web.admin.vi import FLAG_NAMES, KIND_NAMES, PRIZE_NAMES, REVIEW_STATUS_NAMES
from quiz.model import Round, Unit
from quiz.ranking import Ranked
from quiz.services.standings import Prizewinner
from quiz.statistics import Person
from quiz.units import UnitStats

BATCH = 1000


def ranked_rounds(ctx: Admin) -> list[Round]:
    return ctx.standings.ranked_rounds()


def pick_round(ctx: Admin, code: str | None) -> Round | None:
    """The round asked for; by default the one every surface shows (quiz.rounds.default_round)."""
    return ctx.standings.pick_round(code, ctx.now())


def kinds_label(units: Sequence[Unit]) -> str:
    """What a group of units is called, commonest kind first: "huyện, thành phố"."""
    counts = Counter(u.kind for u in units if u.kind)
    names = [KIND_NAMES.get(kind, kind.replace("-", " ")) for kind, _ in counts.most_common()]
    return ", ".join(dict.fromkeys(names)) or "đơn vị"


def level_name(ctx: Admin) -> str:
    """What the compared units are called: "huyện, thành phố" before 7/2025, "xã, phường" after."""
    tree = ctx.runtime.units
    return kinds_label([u for root in tree.roots() for u in tree.children(root.code)])


def unit_label(ctx: Admin, code: str | None) -> str:
    """A participant's unit with the units above it, top level left out: "Xã Đông Sơn, Huyện An Bình"."""
    path = ctx.runtime.units.path(code or "")
    return ", ".join(u.name for u in reversed(path[1:] or path))


def _row(ctx: Admin, rank: int, person: Person | None, labels: dict[str | None, str], *, correct: int, total: int,
         duration_ms: int, prediction: int | None, submitted: datetime | None, review: str = "") -> BoardRow:
    code = person.unit_code if person else None
    if code not in labels:
        labels[code] = unit_label(ctx, code)
    at = submitted.astimezone(ctx.tz).replace(tzinfo=None) if submitted else None
    return BoardRow(rank, person.full_name if person else "—", labels[code], person.phone if person else None,
                    correct, total, duration_ms, prediction, at, bool(person and person.phone_verified), review)


def board_row(ctx: Admin, r: Ranked, person: Person | None, labels: dict[str | None, str] | None = None,
              review: str = "") -> BoardRow:
    s = r.standing
    return _row(ctx, r.rank, person, {} if labels is None else labels, correct=s.correct, total=s.total,
                duration_ms=s.duration_ms, prediction=s.prediction, submitted=s.submitted_at, review=review)


async def review_notes(ctx: Admin, round_code: str) -> dict[int, str]:
    """Each participant's reviews in the round as staff read them: what was flagged, what was decided and
    why ("Trả lời quá nhanh: Hợp lệ (đã gọi điện xác minh)")."""
    notes: dict[int, list[str]] = {}
    for r in await ctx.integrity.reviews(round_code, limit=100_000):
        text = f"{FLAG_NAMES.get(r.kind, r.kind)}: {REVIEW_STATUS_NAMES.get(r.status, r.status)}"
        notes.setdefault(r.participant_id, []).append(f"{text} ({r.reason})" if r.reason else text)
    return {pid: "; ".join(texts) for pid, texts in notes.items()}


async def board_rows(ctx: Admin, ranked: Sequence[Ranked], round_code: str) -> AsyncIterator[list[BoardRow]]:
    """Leaderboard rows with names, units, phones and decisions, in batches (exports of any size)."""
    labels: dict[str | None, str] = {}  # a unit's label, worked out once per export
    notes = await review_notes(ctx, round_code)
    for start in range(0, len(ranked), BATCH):
        chunk = ranked[start:start + BATCH]
        people = await ctx.figures.people([r.standing.participant_id for r in chunk])
        yield [board_row(ctx, r, people.get(r.standing.participant_id), labels,
                         notes.get(r.standing.participant_id, "")) for r in chunk]


@dataclass(frozen=True, slots=True)
class RoundWinners:
    rows: list[WinnerRow]
    people: dict[int, Person]
    frozen: bool  # published when the round closed, rather than read off the live ranking
    participant_ids: list[int]
    withdrawn: list[Person]  # published winners disqualified since: left out until the list is frozen again


def _winner_row(ctx: Admin, w: Prizewinner, person: Person | None, labels: dict[str | None, str],
                review: str) -> WinnerRow:
    return WinnerRow(PRIZE_NAMES.get(w.prize, w.prize),
                     _row(ctx, w.rank, person, labels, correct=w.correct, total=w.total, duration_ms=w.duration_ms,
                          prediction=w.prediction, submitted=w.submitted_at, review=review))


async def round_winners(ctx: Admin, round_code: str, *, current: bool = False) -> RoundWinners:
    """The winners as published when the round closed, or the live prize ladder before that (`current`: not
    one that may lag behind a decision, for an export)."""
    won = await ctx.standings.winners(round_code, now=ctx.now(), current=current)
    ids = [w.participant_id for w in won.rows]
    people = await ctx.figures.people([*ids, *won.withdrawn])
    labels: dict[str | None, str] = {}
    notes = await review_notes(ctx, round_code)
    rows = [_winner_row(ctx, w, people.get(w.participant_id), labels, notes.get(w.participant_id, ""))
            for w in won.rows]
    withdrawn = [people.get(pid) or Person(pid, "—", None, None) for pid in won.withdrawn]
    return RoundWinners(rows, {pid: people[pid] for pid in ids if pid in people}, won.frozen, ids, withdrawn)


async def collective(ctx: Admin, people: dict[int, Person]) -> tuple[list[UnitStats], list[UnitStats]]:
    """Compared units ranked by participation rate, the given winners counted in each unit; and,
    apart, those that cannot be ranked for want of a population figure."""
    return await ctx.standings.collective([p.unit_code for p in people.values()])


async def units_at_level(ctx: Admin, *, day: date | None = None) -> list[UnitStats]:
    """Compared units with their totals: over the whole contest, or active on `day`."""
    return await ctx.figures.units_at_level(day=day)
