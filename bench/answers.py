"""Benchmark: N participants take full attempts at once through the service layer.

Every answer is durable (committed) before the call that stored it returns. Each
participant pauses 0..--think-ms between answers as a reader would; --think-ms 0
measures saturation, where latency is queueing (Little's law), not service time. Prints
durable answers per second and the latency of one answer call, last line like
`3120 answers/s · p50 4.1 ms · p99 22.0 ms`.

    .venv/bin/python bench/answers.py --db sqlite
    .venv/bin/python bench/answers.py --db postgresql+asyncpg://postgres@127.0.0.1:5432/test   # wipes that database
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bot.compose import build, settle_memory
from bot.config import Settings
from bot.storage.contests import store_pack
from bot.storage.engine import make_engine
from bot.storage.migrate import upgrade_async
from quiz.model import Contest, FaqEntry, Question, QuestionSet, Round, RulesSection, Tip, Unit
from quiz.pack import ContestPack

QUESTIONS = 20


def bench_pack() -> ContestPack:
    topics = {"chung": {"vi": "Chung"}}
    questions = tuple(Question(f"b-{i:03d}", "chung", f"Câu hỏi đo tải số {i}?", ("Một", "Hai", "Ba", "Bốn"), i % 4)
                      for i in range(60))
    round_ = Round("tai", {"vi": "Vòng đo tải"}, "bench", QUESTIONS, timedelta(minutes=30), attempts_per_round=1)
    contest = Contest("bench", {"vi": "Đo tải"}, {"vi": "BTC"}, "Asia/Ho_Chi_Minh", topics, (round_,))
    units = (Unit("R", "Tỉnh", None, "tinh", 1_000_000), Unit("R-1", "Huyện", "R", "huyen", 500_000))
    return ContestPack(contest, (QuestionSet("bench", 1, questions),), "1",
                       (RulesSection("r", {"vi": "Thể lệ"}, {"vi": "…"}),), (Tip("t", "chung", {"vi": "…"}),),
                       (FaqEntry("f", {"vi": "?"}, {"vi": "!"}),), units)


async def fresh_database(url: str) -> None:
    engine = make_engine(url)
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await upgrade_async(engine)
    await store_pack(engine, bench_pack(), now=datetime.now(UTC))
    await engine.dispose()


async def main(url: str, participants: int, think_ms: int) -> str:
    await fresh_database(url)
    app = await build(Settings(database_url=url, contest="bench"), rng=random.Random(1))
    now = datetime.now(UTC)
    attempts = []
    for n in range(participants):
        acc = await app.people.account(channel="bench", external_id=str(n), locale="vi", now=now)
        person = await app.people.register(account_id=acc.id, full_name="Người Đo Tải", birth_year=1990,
                                  phone=f"09{n:08d}", unit_code="R-1", referral=None, now=now)
        attempts.append((person.id, await app.play.start_attempt(participant_id=person.id, round_code="tai", now=now)))
    settle_memory()  # as the service does once it has started
    latencies: list[float] = []
    first_done: list[float] = []  # [time, answers so far] when the first participant finished

    pause = random.Random(2)

    async def take(pid: int, attempt_id: int) -> None:
        for pos in range(QUESTIONS):
            if think_ms:
                await asyncio.sleep(pause.uniform(0, think_ms) / 1000)  # reading the question
            began = time.perf_counter()
            out = await app.play.answer(attempt_id=attempt_id, participant_id=pid, position=pos, choice=pos % 4,
                                 now=datetime.now(UTC))
            latencies.append(time.perf_counter() - began)
            assert out is not None and out.verdict.value == "accepted", out
        if not first_done:
            first_done.append(time.perf_counter())
            first_done.append(len(latencies))

    began, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(take(pid, att.id) for pid, att in attempts))
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    stored = 0
    async with app.engine.connect() as conn:
        stored = (await conn.execute(text("SELECT count(*) FROM answers"))).scalar_one()
    await app.close()
    assert stored == participants * QUESTIONS, f"{stored} stored"
    cuts = statistics.quantiles(latencies, n=100)
    # Answers per second while every participant was still answering (no ramp-down tail).
    steady = first_done[1] / (first_done[0] - began)
    print(f"all {stored} answers stored in {elapsed:.1f} s; steady window {first_done[0] - began:.1f} s; "
          f"CPU {cpu / stored * 1e6:.0f} µs per answer")
    return (f"{steady:.0f} answers/s · p50 {cuts[49] * 1000:.1f} ms · p99 {cuts[98] * 1000:.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite", help="'sqlite' (a fresh temporary file) or a database URL")
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--think-ms", type=int, default=600,
                        help="each answer follows a random pause of 0..N ms (0 = answer at once: saturation)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite'}" if args.db == "sqlite" else args.db
        print(f"{args.participants} participants × {QUESTIONS} answers on {url.split('://')[0]}, "
              f"think time 0–{args.think_ms} ms")
        print(asyncio.run(main(url, args.participants, args.think_ms)))
