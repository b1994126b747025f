"""The bench's probe inside the processes bench/e2e.py starts (it puts this folder on PYTHONPATH, so Python
imports this module at start-up in the service, its workers and the baselines); it does nothing unless
those processes were told to:

- CDS_BENCH_PROBE=1 counts what every SQLAlchemy engine sends to its database (and what the answers' group
  commit and the inbound events' writes send to the driver itself, as bot.storage.direct reports it) into
  Prometheus counters,
  which /metrics shows (summed over `dcbot run --workers N`): statements (not SQLite's own BEGIN),
  transactions that sent one (each a BEGIN and a COMMIT or ROLLBACK on a network database), and
  checkouts with a pre-ping (`BEGIN; ; ROLLBACK` with asyncpg). Round trips = statements + 2 ×
  transactions + 3 × pings: the same count as tests/roundtrips.py.
- CDS_BENCH_LIFT_PACING=1 lifts the product's own pacing of Telegram messages (every pace in
  bot.channels.telegram.pace: per chat, overall, in memory or in Redis); `cds_bench_pacing_lifted` says
  whether it took.

Nothing here changes what the service stores or answers."""
from __future__ import annotations

import os
from typing import Any


def _count_round_trips() -> None:
    from prometheus_client import Counter
    from sqlalchemy import event
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.pool import Pool

    statements = Counter("cds_bench_db_statements", "SQL statements sent (bench probe)")
    transactions = Counter("cds_bench_db_transactions", "Transactions that sent a statement (bench probe)")
    pings = Counter("cds_bench_db_pings", "Checkouts with a pre-ping (bench probe)")
    open_: dict[int, bool] = {}  # connections in a transaction that has sent something

    def statement(conn: Connection, _cursor: Any, sql: str, *_args: Any) -> None:
        if sql.lstrip()[:5].upper() == "BEGIN":  # SQLite's BEGIN IMMEDIATE, issued by bot.storage.engine
            return
        statements.inc()
        autocommit = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        if conn.in_transaction() and not autocommit:
            open_[id(conn)] = True

    def end(conn: Connection) -> None:
        if open_.pop(id(conn), False):
            transactions.inc()

    def checkout(_dbapi: Any, _record: Any, proxy: Any) -> None:
        if getattr(getattr(proxy, "_pool", None), "_pre_ping", False):
            pings.inc()

    event.listen(Engine, "before_cursor_execute", statement)
    event.listen(Engine, "commit", end)
    event.listen(Engine, "rollback", end)
    event.listen(Pool, "checkout", checkout)
    try:  # writes that talk to the driver itself report what they sent
        from bot.storage.direct import SENT_DIRECTLY
    except ImportError:  # a baseline's process, or a checkout from before it
        try:  # from before bot.storage.direct: only the answers' group commit, one transaction per batch
            from bot.storage.answer_batch import SENT_DIRECTLY as BATCHES  # type: ignore[attr-defined]
        except ImportError:
            return

        def old_batch(_engine: Engine, sent: int, _wrote: bool) -> None:
            statements.inc(sent)
            transactions.inc()

        BATCHES.append(old_batch)
        return

    def batch(_engine: Engine, sent: int, in_transactions: int, _wrote: bool) -> None:
        statements.inc(sent)
        transactions.inc(in_transactions)

    SENT_DIRECTLY.append(batch)


def _lift_pacing() -> None:
    """Every pace of bot.channels.telegram.pace (a chat's, the broadcasts', in memory or in Redis) books a
    slot that is free now: what the product would wait for Telegram's sake is not waited for."""
    import inspect

    from prometheus_client import Gauge

    lifted = Gauge("cds_bench_pacing_lifted", "1 when the bench lifted the product's pacing",
                   multiprocess_mode="liveall")
    try:
        from bot.channels.telegram import pace
    except ImportError:
        lifted.set(0)
        return

    def now(*_args: Any, **_kw: Any) -> float:
        return 0.0

    async def now_async(*_args: Any, **_kw: Any) -> float:
        return 0.0

    patched = 0
    for _, cls in inspect.getmembers(pace, inspect.isclass):
        reserve = cls.__dict__.get("reserve")
        if cls.__module__ == pace.__name__ and callable(reserve):
            cls.reserve = now_async if inspect.iscoroutinefunction(reserve) else now  # type: ignore[attr-defined]
            patched += 1
    lifted.set(1 if patched else 0)


if os.environ.get("CDS_BENCH_PROBE") == "1":
    _count_round_trips()
    if os.environ.get("CDS_BENCH_LIFT_PACING") == "1":
        _lift_pacing()
