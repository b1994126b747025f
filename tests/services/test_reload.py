"""Loading the contest's pack again over a running contest: under the rules the dashboard keeps."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from conftest import Clock
from fakes import Memory
from quiz.audit import CLI
from quiz.imports import LiveRounds
from quiz.model import QuestionSet
from quiz.pack import ContestPack
from quiz.rounds import RoundRefused
from quiz.services import UseCases

from .citizens import play, register


def edited(pack: ContestPack, *, key_of: str | None = None, minutes: int | None = None,
           rules_version: str | None = None) -> ContestPack:
    """The pack with one question's key moved to its next option, the main round's minutes changed, or new rules."""
    sets = tuple(QuestionSet(qs.name, qs.version, tuple(
        replace(q, correct=(q.correct + 1) % len(q.options)) if q.id == key_of else q for q in qs.questions))
        for qs in pack.question_sets)
    rounds = tuple(replace(r, time_limit=timedelta(minutes=minutes)) if minutes and r.code == "chinh" else r
                   for r in pack.contest.rounds)
    return replace(pack, question_sets=sets, contest=replace(pack.contest, rounds=rounds),
                   rules_version=rules_version or pack.rules_version)


async def test_the_same_pack_again_changes_nothing_but_is_on_record(
        contest: tuple[UseCases, Memory], pack: ContestPack, clock: Clock) -> None:
    uses, memory = contest
    done = await uses.reload.apply(pack, by=CLI, now=clock())
    assert (done.sets, done.created, done.changed) == ((), (), ())
    assert [e.action for e in memory.audit] == ["contest.content"] and memory.revision == 1


async def test_a_corrected_key_regrades_only_after_the_live_round_is_named(
        contest: tuple[UseCases, Memory], pack: ContestPack, clock: Clock) -> None:
    uses, memory = contest
    pid = await register(uses, clock(), user="a", phone="0912345678")
    attempt = await play(uses, clock, pid, right=10)
    question = attempt.paper[0].question_id
    new = edited(pack, key_of=question, rules_version="2024-06-21")
    with pytest.raises(LiveRounds) as live:  # "chinh" draws from the set now
        await uses.reload.apply(new, by=CLI, now=clock())
    assert [r.code for r in live.value.rounds] == ["chinh", "luyen"] and memory.audit == []  # nothing stored
    done = await uses.reload.apply(new, by=CLI, now=clock(), confirmed=("chinh", "luyen"))
    (published,) = done.sets
    assert published.publication.version == 2 and published.answers_regraded == 1
    assert (await uses.play.attempt(attempt.id, now=clock())).correct == 9  # type: ignore[union-attr]
    assert uses.live.runtime.rules_version == "2024-06-21"
    assert [e.action for e in memory.audit] == ["contest.content", "questions.publish", "questions.regrade"]


async def test_a_round_with_attempts_keeps_its_rules_and_nothing_is_stored(
        contest: tuple[UseCases, Memory], pack: ContestPack, clock: Clock) -> None:
    uses, memory = contest
    await play(uses, clock, await register(uses, clock(), user="a", phone="0912345678"), right=5)
    with pytest.raises(RoundRefused) as refused:
        await uses.reload.apply(edited(pack, minutes=20, rules_version="khac"), by=CLI, now=clock())
    assert refused.value.reason == "rules_locked" and refused.value.params["code"] == "chinh"
    assert uses.live.runtime.contest.round("chinh").time_limit == timedelta(minutes=10)  # type: ignore[union-attr]
    assert uses.live.runtime.rules_version == pack.rules_version and memory.audit == []


async def test_a_round_nobody_took_follows_the_pack(
        contest: tuple[UseCases, Memory], pack: ContestPack, clock: Clock) -> None:
    uses, memory = contest
    done = await uses.reload.apply(edited(pack, minutes=20), by=CLI, now=clock())
    assert done.changed == ("chinh",)
    assert uses.live.runtime.contest.round("chinh").time_limit == timedelta(minutes=20)  # type: ignore[union-attr]
    assert memory.audit[-1].action == "round.change" and memory.audit[-1].actor == "cli"
