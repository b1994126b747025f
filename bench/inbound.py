"""Benchmark: the inbound events' own writes, as a busy webhook sends them (bot.storage.inbound_writes).

Each round holds what a webhook worker has waiting at once: `--per-round` new updates claimed, the previous
round's updates marked done with the reply each still has to send, and half of those replies marked sent.
Every caller waits for its round to be durable, as a webhook call waits before Telegram hears "received".
Prints the CPU this process spent per update and the round's latency, last line like
`inbound sqlite: CPU 112 µs per update · round p50 0.95 ms · p99 1.8 ms · 8 updates a round`.

    .venv/bin/python bench/inbound.py --db sqlite
    .venv/bin/python bench/inbound.py --db postgresql+asyncpg://postgres@127.0.0.1:5432/test  # empties inbound_events
"""
from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete

from bot.storage import tables as t
from bot.storage.engine import make_engine
from bot.storage.inbound import InboundEvents
from bot.storage.migrate import upgrade_async

LEASE = timedelta(seconds=30)
REPLY = [{"method": "editMessageText", "chat_id": 6001, "message_id": 7, "text": "Câu 2/20 ⏱ 29:40"}]


def update(n: int) -> dict[str, Any]:
    return {"update_id": n, "callback_query": {"id": str(n), "from": {"id": 6001, "is_bot": False, "first_name": "A"},
                                               "chat_instance": "1", "data": "a:1:2"}}


async def main(url: str, rounds: int, per_round: int) -> str:
    engine = make_engine(url)
    try:
        await upgrade_async(engine)
        async with engine.begin() as conn:
            await conn.execute(delete(t.inbound_events))
        inbound = InboundEvents(engine, "telegram")
        latencies: list[float] = []
        previous: list[str] = []
        cpu = time.process_time()
        for r in range(rounds):
            now = datetime.now(UTC)
            keys = [str(r * per_round + i) for i in range(per_round)]
            jobs = [inbound.claim({key: update(int(key))}, worker="bench", now=now, stale_before=now - LEASE,
                                  max_tries=5) for key in keys]
            jobs += [inbound.done(key, now=now, outbox=REPLY) for key in previous]
            jobs += [inbound.sent([key]) for key in previous[: per_round // 2]]
            began = time.perf_counter()
            await asyncio.gather(*jobs)
            latencies.append(time.perf_counter() - began)
            previous = keys
        spent = time.process_time() - cpu
    finally:
        await engine.dispose()
    latencies.sort()
    p50, p99 = latencies[len(latencies) // 2], latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    return (f"inbound {engine.dialect.name}: CPU {1e6 * spent / (rounds * per_round):.0f} µs per update · "
            f"round p50 {1000 * p50:.2f} ms · p99 {1000 * p99:.1f} ms · {per_round} updates a round")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="sqlite", help="sqlite (a new file) or a PostgreSQL URL")
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--per-round", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite'}" if args.db == "sqlite" else args.db
        print(asyncio.run(main(url, args.rounds, args.per_round)))
