"""Publishing a corrected set and closing a round are each one transaction: a worker killed with
SIGKILL between the steps leaves nothing of them behind, and doing it again does all of it.

The work runs in a child process (the real `build`, on SQLite and PostgreSQL) whose storage is
made to kill the process right after a step's statements ran, before the commit."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, select

from bot.compose import App
from bot.storage import tables as t
from publishing import ADMIN, publish_questions
from quiz.attempts import AttemptStatus
from rounds.people import play, register

ROOT = Path(__file__).resolve().parents[2]
CHILD = textwrap.dedent("""
    import asyncio, os, signal, sys
    from dataclasses import replace
    sys.path.insert(0, {tests!r})
    from bot.compose import build
    from bot.config import Settings
    from publishing import ADMIN, publish_questions
    import bot.storage.{module} as storage

    original = storage.{cls}.{method}

    async def step_then_die(self, *args, **kwargs):
        done = await original(self, *args, **kwargs)  # the step's statements ran, uncommitted
        os.kill(os.getpid(), signal.SIGKILL)
        return done

    storage.{cls}.{method} = step_then_die

    async def main():
        app = await build(Settings(database_url={url!r}, contest_pack={pack!r}, web_secret="test"))
        {work}

    asyncio.run(main())
""")


def die_during(db_url: str, *, module: str, cls: str, method: str, work: str) -> int:
    body = textwrap.indent(textwrap.dedent(work).strip(), " " * 4).lstrip()
    code = CHILD.format(tests=str(ROOT / "tests"), module=module, cls=cls, method=method, url=db_url,
                        pack=str(ROOT / "tests" / "fixtures" / "pack"), work=body)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    return done.returncode


async def scores(app: App) -> list[tuple[int, int]]:
    async with app.engine.connect() as conn:
        rows = await conn.execute(select(t.attempts.c.id, t.attempts.c.correct).order_by(t.attempts.c.id))
        return [(r.id, r.correct) for r in rows]


async def versions(app: App) -> int:
    async with app.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(t.question_sets))).scalar_one())


async def test_a_publication_killed_before_its_commit_leaves_the_old_key_and_scores(
        make_app, db_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    app = await make_app()
    for user, phone, right in (("a", "0911111111", 10), ("b", "0922222222", 3)):
        await play(app, clock, await register(app, clock(), user=user, phone=phone), right=right)
    before, stored_versions = await scores(app), await versions(app)

    die_during(db_url, module="attempts", cls="SqlAttempts", method="rescore", work="""
        corrected = tuple(replace(q, correct=1) for q in app.runtime.sets["bo-thu"].questions)
        await publish_questions(app.imports, app.live, "bo-thu", corrected, now=app.clock())""")

    assert await versions(app) == stored_versions  # no new version without its regrade
    assert await scores(app) == before
    corrected = tuple(replace(q, correct=1) for q in app.runtime.sets["bo-thu"].questions)
    done = await publish_questions(app.imports, app.live, "bo-thu", corrected, now=clock())
    assert done.publication.changed and done.answers_regraded > 0 and done.attempts_regraded == 2  # all of it
    assert await versions(app) == stored_versions + 1 and await scores(app) != before


async def test_a_close_killed_before_its_commit_leaves_the_round_open_as_it_was(
        make_app, db_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    app = await make_app()
    finished = await play(app, clock, await register(app, clock(), user="a", phone="0911111111"), right=10)
    playing = await play(app, clock, await register(app, clock(), user="b", phone="0922222222"), right=4,
                         finish=False)

    die_during(db_url, module="rounds", cls="SqlRounds", method="freeze", work="""
        await app.rounds.close("chinh", by=ADMIN, now=app.clock())""")

    fresh = await make_app()  # what any worker reads now
    state = await fresh.rounds.state("chinh")
    assert not state.closed and state.figure is None and await fresh.rounds.winners("chinh") == []
    assert (await fresh.play.attempt(playing.id, now=clock())).status is AttemptStatus.OPEN
    assert fresh.runtime.contest.round("chinh") == app.runtime.contest.round("chinh")  # its times as they were

    closing = await fresh.rounds.close("chinh", by=ADMIN, now=clock())
    assert closing.stopped == 1 and [w.attempt_id for w in closing.winners] == [finished.id, playing.id]
    assert (await fresh.rounds.state("chinh")).closed
