"""Benchmark: citizens' leaderboards at a million finished attempts, on one worker or several.

Fills the database named by --db with N participants, each with a finished attempt in one round, a
reserve of open attempts to finish during the run, and chat accounts for some participants. Then:
1. the round's live board is built once, by worker 0, from storage (the others wait for it);
2. every worker (with --redis, --workers processes sharing the boards in Redis; without, one process
   keeping them in memory) finishes attempts at --finish-rate a second for --seconds: the CPU its board
   upkeep takes (handing finished attempts to the board, the scheduler's tick), as a share of one core;
   the attempts' own writes are made beside it and not counted;
3. then, finishes going on through Play.finish, every worker answers `/bxh` at --bxh-rate a second
   through the conversation, as every channel calls it (Dispatcher.handle): latency from the moment
   each request was due, so queueing counts.
Last line like `bxh p99 4.2 ms · upkeep 0.8% of a core per worker · 2 workers pg+redis · 1,000,000 attempts`.
Everything runs on this machine (127.0.0.1); the offered rates are fixed, never "as fast as possible".

    .venv/bin/python bench/leaderboard.py --db postgresql+asyncpg://postgres@127.0.0.1:5432/bench_lb15 \
        --redis redis://127.0.0.1:6379/9            # wipes that database's schema and the bench's keys
    .venv/bin/python bench/leaderboard.py --db sqlite --participants 200000
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing as mp
import os
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text, update

from bot.compose import App, build, settle_memory
from bot.config import Settings
from bot.storage import tables as t
from bot.storage.engine import make_engine
from quiz.conversation.engine import Who
from quiz.conversation.messages import Text

CHUNK = 20_000
ROUND = "tai"
ACCOUNTS = 20_000  # participants 1..ACCOUNTS have a chat account: their /bxh shows their own row


def _answers_module() -> Any:
    import importlib.util
    spec = importlib.util.spec_from_file_location("bench_answers", Path(__file__).with_name("answers.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def fill(url: str, n: int, reserve: int) -> None:
    """N participants with one finished attempt each, `reserve` more with an open one, inserted in bulk."""
    await _answers_module().fresh_database(url)  # same contest as bench/answers.py: round "tai", 20 questions
    engine = make_engine(url)
    rng = random.Random(3)
    start = datetime(2024, 6, 20, 1, 0, tzinfo=UTC)
    async with engine.begin() as conn:
        cid = (await conn.execute(select(t.contests.c.id))).scalar_one()
        rid = (await conn.execute(select(t.rounds.c.id))).scalar_one()
        sid = (await conn.execute(select(t.question_sets.c.id))).scalar_one()
    for low in range(0, n + reserve, CHUNK):
        ids = range(low + 1, min(low + CHUNK, n + reserve) + 1)
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
            accounts = [{"id": i, "contest_id": cid, "channel": "bench", "external_id": str(i), "participant_id": i,
                         "locale": "vi", "created_at": start} for i in ids if i <= ACCOUNTS]
            if accounts:
                await conn.execute(insert(t.accounts), accounts)
    if engine.dialect.name == "postgresql":
        async with engine.begin() as conn:
            for table in ("participants", "attempts", "accounts"):
                await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {n + reserve})"))
            await conn.execute(text("ANALYZE"))
    await engine.dispose()


async def reopen_reserve(url: str, n: int) -> None:
    """The reserve's attempts open again, started now, as if their participants were answering."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        await conn.execute(update(t.attempts).where(t.attempts.c.id > n).values(
            status="open", finished_at=None, started_at=now, deadline=now + timedelta(days=1)))
    await engine.dispose()


async def forget_boards(redis: str | None) -> None:
    if redis is None:
        return
    from redis.asyncio import Redis
    client = Redis.from_url(redis)
    keys = [k async for k in client.scan_iter("cds:lb:bench:*")]
    for start in range(0, len(keys), 10_000):
        await client.delete(*keys[start:start + 10_000])
    await client.aclose()


def p(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] * 1000 if len(samples) > 1 else float("nan")


async def _finish_raw(app: App, attempt_id: int) -> Any:
    """The attempt's own write (not board upkeep): finished now; the stored attempt back."""
    now = datetime.now(UTC)
    async with app.engine.begin() as conn:
        await conn.execute(update(t.attempts).where(t.attempts.c.id == attempt_id)
                           .values(status="finished", finished_at=now))
    return await app.play.attempt(attempt_id, now=now)


async def worker(index: int, url: str, redis: str | None, n: int, reserve: range, args: argparse.Namespace,
                 barrier: Any) -> dict[str, Any]:
    app = await build(Settings(database_url=url, redis_url=redis, contest="bench"))
    settle_memory()
    board_reads: list[float] = []  # the board's own part of /bxh: its top, size and the citizen's row
    name_reads: list[float] = []  # and the public names of the top
    read_board, read_names = app.standings.glimpse, app.standings.public_names

    async def timed_glimpse(**kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return await read_board(**kw)
        finally:
            board_reads.append(time.perf_counter() - t0)

    async def timed_names(ids: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return await read_names(ids)
        finally:
            name_reads.append(time.perf_counter() - t0)

    app.standings.glimpse, app.standings.public_names = timed_glimpse, timed_names  # type: ignore[method-assign,assignment]
    now = datetime.now(UTC)
    if index:
        await asyncio.to_thread(barrier.wait)  # worker 0 builds the board first
    began = time.perf_counter()
    glimpse = await app.standings.glimpse(round_code=ROUND, top=10, participant_id=1, now=now)
    built = time.perf_counter() - began
    if not index:
        await asyncio.to_thread(barrier.wait)
    assert len(glimpse) >= n and glimpse.place_of(1) is not None, "the board has everyone"
    out: dict[str, Any] = {"index": index, "first_read_s": built, "ranked": len(glimpse), "figure": glimpse.figure}
    print(f"worker {index}: first read of the board after {built:.1f} s", flush=True)
    handled = await app.dispatcher.handle(Who("bench", "1"), Text("/bxh"))
    assert any(getattr(m, "id", "") == "lb.title" for r in handled.outcome.replies for m in r.parts), handled
    todo = list(reserve)

    # upkeep: the board hears of each finished attempt; the scheduler ticks every 30 s
    await asyncio.to_thread(barrier.wait)
    cpu, wall0, cpu0, i, ticks = 0.0, time.perf_counter(), time.process_time(), 0, 0
    while time.perf_counter() - wall0 < args.seconds:
        await asyncio.sleep(max(0.0, wall0 + i / args.finish_rate - time.perf_counter()))
        att = await _finish_raw(app, todo.pop())
        t0 = time.thread_time()
        await app.standings.handed_in(att, now=datetime.now(UTC))
        if time.perf_counter() - wall0 >= 30 * ticks:
            await app.rounds.close_due(now=datetime.now(UTC))  # the tick: hand in expired attempts, stale boards
            ticks += 1
        cpu += time.thread_time() - t0
        i += 1
    wall = time.perf_counter() - wall0
    out.update(upkeep=cpu / wall, finishes=i, per_finish_ms=cpu / max(i, 1) * 1000,
               process_cpu=(time.process_time() - cpu0) / wall)
    print(f"worker {index}: upkeep {cpu / wall * 100:.2f}% of a core over {i} finishes", flush=True)

    # /bxh at a fixed rate while Play.finish goes on
    await asyncio.to_thread(barrier.wait)
    rng = random.Random(index)
    latencies: list[float] = []
    finishing: list[float] = []
    gate = asyncio.Semaphore(500)

    async def bxh(due: float) -> None:
        async with gate:
            await app.dispatcher.handle(Who("bench", str(rng.randint(1, ACCOUNTS))), Text("/bxh"))
        latencies.append(time.perf_counter() - due)

    async def finisher(start: float) -> None:
        k = 0
        while time.perf_counter() - start < args.seconds and todo:
            await asyncio.sleep(max(0.0, start + k / args.finish_rate - time.perf_counter()))
            aid = todo.pop()
            t0 = time.perf_counter()
            await app.play.finish(attempt_id=aid, participant_id=aid, now=datetime.now(UTC))
            finishing.append(time.perf_counter() - t0)
            k += 1

    lags: list[float] = []  # how late a 10 ms sleep wakes: the loop held up, or the process not scheduled
    collecting: list[float] = []  # the collector's pauses

    async def probe() -> None:
        while True:
            t0 = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append(time.perf_counter() - t0 - 0.01)

    def collector(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collecting.append(-time.perf_counter())
        elif collecting:
            collecting[-1] += time.perf_counter()

    start, cpu0, load0 = time.perf_counter(), time.process_time(), os.getloadavg()[0]
    board_reads.clear()
    name_reads.clear()
    prober = asyncio.create_task(probe())
    gc.callbacks.append(collector)
    pending = [asyncio.create_task(finisher(start))]
    for k in range(int(args.seconds * args.bxh_rate)):
        due = start + k / args.bxh_rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        pending.append(asyncio.create_task(bxh(due)))
    await asyncio.gather(*pending)
    wall = time.perf_counter() - start
    prober.cancel()
    gc.callbacks.remove(collector)
    out.update(lag_p99=p(lags, 99), lag_max=max(lags) * 1000, gc_max=max(collecting, default=0.0) * 1000,
               gc_total=sum(collecting) * 1000)
    out.update(bxh=latencies, bxh_rate=len(latencies) / wall, finish_p99=p(finishing, 99),
               bxh_cpu=(time.process_time() - cpu0) / wall, board_reads=list(board_reads), name_reads=list(name_reads),
               load=(load0, os.getloadavg()[0]))

    # a change only storage can tell (a regrade, say): worker 0 builds the board again while all serve /bxh
    await asyncio.to_thread(barrier.wait)
    if args.rebuild:
        during: list[float] = []
        rebuilt = asyncio.Event()

        async def rebuild() -> None:
            await app.standings.changed(ROUND)
            t0 = time.perf_counter()
            await app.standings.live_boards.refresh(ROUND, now=datetime.now(UTC))
            out["rebuild_s"] = time.perf_counter() - t0
            rebuilt.set()

        latencies = during
        builder = asyncio.create_task(rebuild()) if index == 0 else None
        start, k = time.perf_counter(), 0
        pending = []
        while not rebuilt.is_set() if builder else time.perf_counter() - start < args.seconds:  # others: a while
            due = start + k / args.bxh_rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            pending.append(asyncio.create_task(bxh(due)))
            k += 1
        await asyncio.gather(*pending, *([builder] if builder else []))
        out["bxh_rebuilding"] = during
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    await app.close()
    return out


def run_worker(index: int, url: str, redis: str | None, n: int, reserve: range, args: argparse.Namespace,
               barrier: Any, results: Any) -> None:
    try:
        results.put(asyncio.run(worker(index, url, redis, n, reserve, args, barrier)))
    except BaseException as exc:
        barrier.abort()
        results.put({"index": index, "error": repr(exc)})
        raise


async def redis_memory(redis: str | None) -> float:
    if redis is None:
        return 0.0
    from redis.asyncio import Redis
    client = Redis.from_url(redis)
    used = (await client.info("memory"))["used_memory"]
    await client.aclose()
    return float(used) / 1e6


async def export_timing(url: str, redis: str | None, n: int) -> None:
    """The organisers' XLSX export of the whole ranking, read from storage as the dashboard reads it."""
    from bot.exports import BoardRow, write_leaderboard_xlsx
    app = await build(Settings(database_url=url, redis_url=redis, contest="bench"))
    t0 = time.perf_counter()
    ranked, _ = await app.standings.leaderboard(round_code=ROUND)
    read = time.perf_counter() - t0
    names: dict[int, tuple[str, str]] = {}
    for low in range(0, len(ranked), 20_000):  # fetched before writing: the writer is synchronous
        names.update(await app.standings.names([r.standing.participant_id for r in ranked[low:low + 20_000]]))
    tz = app.runtime.tz

    def rows() -> Iterator[BoardRow]:
        for r in ranked:
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
        print(f"organisers' whole ranking read from storage in {read:.0f} s; xlsx export of {n:,} rows: "
              f"{elapsed:.0f} s, {path.stat().st_size / 1e6:.0f} MB file, peak memory grew {grew / 1024:.0f} MB "
              f"while writing")
    await app.close()


def main(args: argparse.Namespace, url: str) -> str:
    workers = args.workers if args.redis else 1
    per_worker = int(args.finish_rate * args.seconds * 2) + 100
    if not args.reuse:
        began = time.perf_counter()
        asyncio.run(fill(url, args.participants, per_worker * workers))
        print(f"filled {args.participants:,} finished attempts (+{per_worker * workers:,} to finish) "
              f"in {time.perf_counter() - began:.0f} s")
    asyncio.run(reopen_reserve(url, args.participants))
    asyncio.run(forget_boards(args.redis))
    before = asyncio.run(redis_memory(args.redis))
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=run_worker, args=(k, url, args.redis, args.participants, range(
        args.participants + 1 + k * per_worker, args.participants + 1 + (k + 1) * per_worker), args, barrier, results))
        for k in range(workers)]
    for proc in procs:
        proc.start()
    outs = sorted((results.get() for _ in procs), key=lambda o: o["index"])
    for proc in procs:
        proc.join()
    failed = [o for o in outs if "error" in o]
    if failed:
        raise SystemExit(f"worker {failed[0]['index']} failed: {failed[0]['error']}")
    kind = f"{url.split('+')[0].split(':')[0]}{'+redis' if args.redis else ' in memory'}"
    grew = f"; Redis used_memory grew {asyncio.run(redis_memory(args.redis)) - before:.0f} MB" if args.redis else ""
    print(f"board built from storage by worker 0 in {outs[0]['first_read_s']:.1f} s "
          f"({outs[0]['ranked']:,} ranked, figure {outs[0]['figure']:,}){grew}")
    for o in outs:
        print(f"worker {o['index']}: upkeep {o['upkeep'] * 100:.2f}% of a core at {args.finish_rate:g} finishes/s "
              f"({o['per_finish_ms']:.2f} ms CPU each; the process {o['process_cpu'] * 100:.0f}% with the "
              f"attempts' own writes) · /bxh {o['bxh_rate']:.0f}/s p50 {p(o['bxh'], 50):.1f} ms "
              f"p99 {p(o['bxh'], 99):.1f} ms (of which the board p50 {p(o['board_reads'], 50):.1f} ms "
              f"p99 {p(o['board_reads'], 99):.1f} ms, names p99 {p(o['name_reads'], 99):.1f} ms), process "
              f"{o['bxh_cpu'] * 100:.0f}% of a core · Play.finish p99 {o['finish_p99']:.1f} ms · "
              f"peak RSS {o['rss_mb']:.0f} MB · load average {o['load'][0]:.1f} → {o['load'][1]:.1f}, "
              f"loop late p99 {o['lag_p99']:.1f} ms max {o['lag_max']:.0f} ms, "
              f"collector {o['gc_total']:.0f} ms in all, {o['gc_max']:.1f} ms at most")
    if args.rebuild:
        print(f"rebuilt by worker 0 in {outs[0]['rebuild_s']:.1f} s while every worker served /bxh: " + ", ".join(
            f"worker {o['index']} p50 {p(o['bxh_rebuilding'], 50):.1f} ms p99 {p(o['bxh_rebuilding'], 99):.1f} ms"
            for o in outs))
    if args.export:
        asyncio.run(export_timing(url, args.redis, args.participants))
    every = [x for o in outs for x in o["bxh"]]
    return (f"bxh p99 {p(every, 99):.1f} ms · upkeep {max(o['upkeep'] for o in outs) * 100:.1f}% of a core per worker"
            f" · {workers} worker{'s' if workers > 1 else ''} {kind} · {args.participants:,} attempts")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite", help="'sqlite' (a fresh temporary file) or a database URL")
    parser.add_argument("--redis", default=None, help="a Redis URL: boards shared by --workers processes")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each measured phase")
    parser.add_argument("--finish-rate", type=float, default=5.0, help="attempts finished a second, per worker")
    parser.add_argument("--bxh-rate", type=float, default=30.0, help="/bxh requests a second, per worker")
    parser.add_argument("--reuse", action="store_true", help="measure a database an earlier run filled")
    parser.add_argument("--rebuild", action="store_true", help="then build the board again under /bxh load")
    parser.add_argument("--export", action="store_true", help="then time the organisers' XLSX export")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'board.sqlite'}" if args.db == "sqlite" else args.db
        print(main(args, url))
