"""Loading a contest's pack again over a contest that runs: everything a pack says, under the same rules
as the dashboard and `dcbot questions import` — question sets keep their questions' identities, a live
round needs its name confirmed, a round with attempts keeps its rules, and each change is audited."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from quiz.audit import Actor
from quiz.imports import ImportPlan, LiveRounds, guard, live_rounds
from quiz.model import Round
from quiz.pack import ContestPack
from quiz.ports import UowFactory
from quiz.problems import Invalid
from quiz.questions import diff_sets
from quiz.rounds import RoundRefused, changed_round, locked_settings, settings_of
from quiz.services.imports import Imports, Published
from quiz.services.live import LiveContest
from quiz.services.rounds import RoundAdmin


@dataclass(frozen=True, slots=True)
class Reloaded:
    sets: tuple[Published, ...]
    created: tuple[str, ...]  # rounds new in the pack
    changed: tuple[str, ...]  # rounds whose settings moved
    kept: tuple[str, ...]  # rounds in the contest the pack no longer names: left as they are


def _settings(r: Round, tz: ZoneInfo) -> dict[str, object]:
    """A round's settings as a change names them (its pack form, without the code)."""
    return {k: v for k, v in settings_of(r, tz).items() if k != "code"}


class ContestReload:
    def __init__(self, *, live: LiveContest, uow: UowFactory, imports: Imports, rounds: RoundAdmin) -> None:
        self._live, self._uow, self._imports, self._rounds = live, uow, imports, rounds

    def plans(self, pack: ContestPack) -> list[ImportPlan]:
        """Each of the pack's sets against the version served now, question by question id."""
        sets = self._live.runtime.sets
        out = []
        for qs in pack.question_sets:
            current = sets.get(qs.name)
            out.append(ImportPlan(qs.name, qs.questions, diff_sets(current.questions if current else (),
                                                                   qs.questions),
                                  current.version if current else None))
        return out

    async def check(self, pack: ContestPack, *, now: datetime, confirmed: Collection[str] = ()) -> None:
        """Everything that would refuse the reload, before anything is stored: a set that would leave a live
        round unable to draw a paper (Invalid), live rounds not confirmed (LiveRounds), a round with
        attempts whose rules would change (RoundRefused rules_locked)."""
        runtime = self._live.runtime
        states = await self._rounds.states()
        async with self._uow() as uow:
            problems, live = [], []
            for plan in self.plans(pack):
                if plan.diff.added or plan.diff.removed or plan.diff.changed:
                    rounds = live_rounds(((s.round, s.closed) for s in states), plan.set_name, now)
                    problems += guard(plan.questions, rounds, file=plan.set_name, tz=runtime.tz, now=now)
                    live += [r for r in rounds if r.code not in confirmed and r not in live]
            if problems:
                raise Invalid(problems)
            if live:
                raise LiveRounds(tuple(live))
            sets = {**runtime.sets, **{qs.name: qs for qs in pack.question_sets}}
            by_code = {s.round.code: s.round for s in states}
            for r in pack.contest.rounds:
                held = by_code.get(r.code)
                if held is None:
                    continue
                wanted = changed_round(held, _settings(r, runtime.tz), code=r.code, tz=runtime.tz, sets=sets,
                                       topics=pack.contest.topics)
                moved = locked_settings(held, wanted)
                if moved and await uow.attempts.any_in(r.code):
                    raise RoundRefused("rules_locked", code=r.code, settings=", ".join(moved))

    async def apply(self, pack: ContestPack, *, by: Actor, now: datetime,
                    confirmed: Collection[str] = ()) -> Reloaded:
        """Check everything first (`check`), then store the content, publish the sets that changed and
        create or change the rounds, each through its use case."""
        if pack.contest.slug != self._live.runtime.contest.slug:
            raise ValueError(f"the pack is for {pack.contest.slug}, not {self._live.runtime.contest.slug}")
        await self.check(pack, now=now, confirmed=confirmed)
        async with self._uow() as uow:
            await uow.content.store(pack, now=now)
            await uow.audit.add(by.entry(now, "contest.content", pack.contest.slug, {
                "rules_version": pack.rules_version, "units": len(pack.units), "tips": len(pack.tips),
                "faq": len(pack.faq)}))
            await uow.revision.bump()
            await uow.commit()
        await self._live.reload()
        published = []
        for plan in self.plans(pack):
            if plan.current_version is None or plan.diff.added or plan.diff.removed or plan.diff.changed:
                published.append(await self._imports.publish_plan(
                    plan, by=by, now=now, source=f"pack:{plan.set_name}", confirmed=confirmed))
        held = {s.round.code: s.round for s in await self._rounds.states()}
        created, changed = [], []
        tz = self._live.runtime.tz
        for r in pack.contest.rounds:
            wanted = _settings(r, tz)
            current: Round | None = held.get(r.code)
            if current is None:
                await self._rounds.create(r.code, wanted, by=by, now=now)
                created.append(r.code)
            elif _settings(current, tz) != wanted:
                await self._rounds.change(r.code, wanted, by=by, now=now)
                changed.append(r.code)
        kept = tuple(code for code in held if pack.contest.round(code) is None)
        return Reloaded(tuple(published), tuple(created), tuple(changed), kept)
