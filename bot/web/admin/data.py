"""Figures the pages and the exports share: rounds, leaderboard rows, winners, units by level."""
from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import date

from bot.exports import BoardRow, WinnerRow
from bot.storage.rounds import round_admin
from bot.storage.stats import Person
from bot.web.admin.context import Admin
from bot.web.admin.vi import KIND_NAMES, PRIZE_NAMES
from quiz.model import Round, Unit
from quiz.ranking import Ranked, winners
from quiz.rounds import FrozenWinner
from quiz.units import UnitStats, collective_ranking, roll_up

BATCH = 1000
LEVEL = 1  # the unit tree's level organisers compare: districts below a province


def ranked_rounds(ctx: Admin) -> list[Round]:
    return [r for r in ctx.application.services.runtime.contest.rounds if r.ranked]


def pick_round(ctx: Admin, code: str | None) -> Round | None:
    """The round asked for; by default the ranked round open now, or the last one that opened."""
    rounds = ranked_rounds(ctx)
    chosen = next((r for r in rounds if r.code == code), None)
    if chosen is not None or not rounds:
        return chosen
    now = ctx.now()
    open_now = [r for r in rounds if r.is_open(now)]
    started = [r for r in rounds if r.opens is not None and r.opens <= now]
    return (open_now or started or rounds)[-1 if not open_now else 0]


def kinds_label(units: Sequence[Unit]) -> str:
    """What a group of units is called, commonest kind first: "huyện, thành phố"."""
    counts = Counter(u.kind for u in units if u.kind)
    names = [KIND_NAMES.get(kind, kind.replace("-", " ")) for kind, _ in counts.most_common()]
    return ", ".join(dict.fromkeys(names)) or "đơn vị"


def level_name(ctx: Admin) -> str:
    """What the units at LEVEL are called: "huyện, thành phố" before 7/2025, "xã, phường" after."""
    tree = ctx.application.services.runtime.units
    return kinds_label([u for root in tree.roots() for u in tree.children(root.code)])


def unit_label(ctx: Admin, code: str | None) -> str:
    """A participant's unit with the units above it, top level left out: "Xã Đông Sơn, Huyện An Bình"."""
    path = ctx.application.services.runtime.units.path(code or "")
    return ", ".join(u.name for u in reversed(path[1:] or path))


def board_row(ctx: Admin, r: Ranked, person: Person | None, labels: dict[str | None, str] | None = None) -> BoardRow:
    s, tz = r.standing, ctx.application.services.runtime.tz
    code = person.unit_code if person else None
    labels = {} if labels is None else labels
    if code not in labels:
        labels[code] = unit_label(ctx, code)
    return BoardRow(r.rank, person.full_name if person else "—", labels[code], person.phone if person else None,
                    s.correct, s.total, s.duration_ms, s.prediction, s.submitted_at.astimezone(tz).replace(tzinfo=None))


def _frozen_row(ctx: Admin, w: FrozenWinner, person: Person | None) -> BoardRow:
    """A published winner's line; the submission time is not part of what was published."""
    return BoardRow(w.rank, person.full_name if person else "—", unit_label(ctx, person.unit_code if person else None),
                    person.phone if person else None, w.correct, w.total, w.duration_ms, w.prediction, None)


async def board_rows(ctx: Admin, ranked: Sequence[Ranked]) -> AsyncIterator[list[BoardRow]]:
    """Leaderboard rows with names, units and phones, in batches (exports of any size)."""
    labels: dict[str | None, str] = {}  # a unit's label, worked out once per export
    for start in range(0, len(ranked), BATCH):
        chunk = ranked[start:start + BATCH]
        people = await ctx.stats.people([r.standing.participant_id for r in chunk])
        yield [board_row(ctx, r, people.get(r.standing.participant_id), labels) for r in chunk]


@dataclass(frozen=True, slots=True)
class RoundWinners:
    rows: list[WinnerRow]
    people: dict[int, Person]
    frozen: bool  # published when the round closed, rather than read off the live ranking
    participant_ids: list[int]


async def round_winners(ctx: Admin, round_code: str) -> RoundWinners:
    """The winners published when the round closed; before that, the prize ladder filled down
    the live strict ranking (quiz.ranking.winners)."""
    services = ctx.application.services
    published = await round_admin(ctx.application).winners(round_code)
    if published:
        ids = [w.participant_id for w in published]
        people = await ctx.stats.people(ids)
        rows = [WinnerRow(PRIZE_NAMES.get(w.prize, w.prize), _frozen_row(ctx, w, people.get(w.participant_id)))
                for w in published]
        return RoundWinners(rows, people, True, ids)
    ranked, _ = await services.leaderboard(round_code=round_code)
    won = winners(ranked, services.runtime.contest.prizes)
    ids = [w.ranked.standing.participant_id for w in won]
    people = await ctx.stats.people(ids)
    rows = [WinnerRow(PRIZE_NAMES.get(w.prize, w.prize), board_row(ctx, w.ranked, people.get(pid)))
            for w, pid in zip(won, ids)]
    return RoundWinners(rows, people, False, ids)


async def collective(ctx: Admin, people: dict[int, Person]) -> tuple[list[UnitStats], list[UnitStats]]:
    """Units at LEVEL ranked by participation rate, with the given winners counted in each unit;
    and, apart, the units at LEVEL that cannot be ranked for want of a population figure."""
    services = ctx.application.services
    won = Counter(p.unit_code for p in people.values() if p.unit_code)
    prizes = {s.code: s.winners for s in roll_up(services.runtime.units, participants={}, attempts={}, winners=won)}
    stats = [replace(s, winners=prizes.get(s.code, 0)) for s in await services.unit_stats()]
    unranked = sorted((s for s in stats if s.depth == LEVEL and s.rate is None), key=lambda s: (-s.participants, s.name))
    return collective_ranking(stats, depth=LEVEL), unranked


async def units_at_level(ctx: Admin, *, day: date | None = None) -> list[UnitStats]:
    """Units at LEVEL with their totals: over the whole contest, or active on `day`."""
    services = ctx.application.services
    if day is None:
        stats = await services.unit_stats()
    else:
        participants, attempts = await ctx.stats.activity_by_unit(day=day)
        stats = roll_up(services.runtime.units, participants=participants, attempts=attempts)
    return [s for s in stats if s.depth == LEVEL]
