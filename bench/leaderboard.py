"""Benchmark: leaderboards with a million participants.

Fills the database named by --db with N participants, each with a finished attempt
in one round, then measures what a leaderboard request costs: the top 100 (with
names) and one participant's rank, served from the in-memory board that is rebuilt
in the background when older than Standings.BOARD_TTL. Also reports the rebuild time
(the staleness bound is TTL + rebuild) and, when the exports module is present, the
time and peak memory of a 1M-row XLSX export. Last line like
`top100 p99 0.8 ms · rank p99 1.2 ms`.

    .venv/bin/python bench/leaderboard.py --db sqlite
    .venv/bin/python bench/leaderboard.py --db postgresql+asyncpg://postgres@127.0.0.1:5432/test   # wipes it
"""
from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, text

from bot.compose import build, settle_memory
from bot.config import Settings
from bot.storage import tables as t
from bot.storage.engine import make_engine
from quiz.services import Standings

CHUNK = 20_000


async def fill(url: str, n: int) -> None:
    """N participants with one finished attempt each, inserted in bulk."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("bench_answers", Path(__file__).with_name("answers.py"))
    assert spec and spec.loader
    answers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(answers)
    await answers.fresh_database(url)  # same contest as bench/answers.py: round "tai", 20 questions
    engine = make_engine(url)
    rng = random.Random(3)
    start = datetime(2024, 6, 20, 1, 0, tzinfo=UTC)
    async with engine.begin() as conn:
        cid = (await conn.execute(select(t.contests.c.id))).scalar_one()
        rid = (await conn.execute(select(t.rounds.c.id))).scalar_one()
        sid = (await conn.execute(select(t.question_sets.c.id))).scalar_one()
    for low in range(0, n, CHUNK):
        ids = range(low + 1, min(low + CHUNK, n) + 1)
        async with engine.begin() as conn:
            await conn.execute(insert(t.participants), [
                {"id": i, "contest_id": cid, "full_name": f"Người Thi {i}", "birth_year": 1990, "phone": f"09{i:08d}",
                 "unit_code": "R-1", "referral": None, "registered_at": start} for i in ids])
            await conn.execute(insert(t.attempts), [
                {"id": i, "participant_id": i, "round_id": rid, "set_id": sid, "seq": 1, "day": date(2024, 6, 20),
                 "paper": [], "total": 20, "started_at": start + timedelta(seconds=i % 86_400),
                 "deadline": start + timedelta(seconds=i % 86_400, minutes=30), "status": "finished",
                 "finished_at": start + timedelta(seconds=i % 86_400 + rng.randint(60, 1500)),
                 "correct": min(20, int(rng.betavariate(5, 2) * 21)), "answered": 20,
                 "prediction": rng.randint(0, 50_000), "practice": False} for i in ids])
    if engine.dialect.name == "postgresql":
        async with engine.begin() as conn:
            for table in ("participants", "attempts"):
                await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {n})"))
            await conn.execute(text("ANALYZE"))
    await engine.dispose()


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] * 1000


async def main(url: str, n: int, requests: int, refill: bool) -> str:
    if refill:
        began = time.perf_counter()
        await fill(url, n)
        print(f"filled {n:,} participants and attempts in {time.perf_counter() - began:.0f} s")
    app = await build(Settings(database_url=url, contest="bench"))
    began = time.perf_counter()
    board = await app.standings.board(round_code="tai")
    print(f"board built in {time.perf_counter() - began:.1f} s ({len(board):,} ranked, figure {board.figure}); "
          f"staleness bound {Standings.BOARD_TTL.total_seconds():.0f} s + rebuild")
    settle_memory()
    rng = random.Random(4)
    top_times: list[float] = []
    rank_times: list[float] = []
    for _ in range(requests):
        t0 = time.perf_counter()
        b = await app.standings.board(round_code="tai")
        top = b.top(100)
        people = await app.standings.names([r.standing.participant_id for r in top])
        assert len(people) == 100
        top_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        b = await app.standings.board(round_code="tai")
        row = b.place_of(rng.randint(1, n))
        assert row is not None
        rank_times.append(time.perf_counter() - t0)
    await export_timing(app.standings, app.runtime.tz, n)
    await app.close()
    return f"top100 p99 {p99(top_times):.2f} ms · rank p99 {p99(rank_times):.3f} ms"


async def export_timing(standings: Standings, tz: ZoneInfo, n: int) -> None:
    """The organisers' XLSX export of the whole board, names read from the database in chunks."""
    try:
        from bot.exports import BoardRow, write_leaderboard_xlsx
    except ImportError:
        print("xlsx export: bot.exports not present, skipped")
        return
    board = await standings.board(round_code="tai")
    names: dict[int, tuple[str, str]] = {}
    for low in range(0, len(board), 20_000):  # fetched before writing: the writer is synchronous
        names.update(await standings.names([r.standing.participant_id for r in board.page(low, 20_000)]))

    def rows() -> Iterator[BoardRow]:
        for r in board.ranked:
            s = r.standing
            name, unit = names.get(s.participant_id, ("", ""))
            yield BoardRow(r.rank, name, unit, None, s.correct, s.total, s.duration_ms, s.prediction,
                           s.submitted_at.astimezone(tz).replace(tzinfo=None))

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "board.xlsx"
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        write_leaderboard_xlsx(rows(), path, show_phone=False)
        elapsed = time.perf_counter() - t0
        grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        print(f"xlsx export of {n:,} rows: {elapsed:.0f} s, {path.stat().st_size / 1e6:.0f} MB file, "
              f"peak memory grew {grew / 1024:.0f} MB while writing")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite", help="'sqlite' (a fresh temporary file) or a database URL")
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--reuse", action="store_true", help="measure a database an earlier run filled")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'board.sqlite'}" if args.db == "sqlite" else args.db
        print(asyncio.run(main(url, args.participants, args.requests, not args.reuse)))
