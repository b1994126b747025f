"""A worker's renewal of its claims finds the few events it holds through an index, however many handled
events the week has kept, and renews exactly those: not one claimed for it that it never received."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, text

from bot.storage import tables as t
from bot.storage.engine import autocommit, make_engine
from bot.storage.inbound_writes import renewal
from bot.storage.migrate import upgrade_async

_E = t.inbound_events.c
T0 = datetime(2024, 6, 20, 1, 30, tzinfo=UTC)


def event(channel: str, key: str, worker: str, *, done: bool, outbox: list[dict[str, str]] | None = None
          ) -> dict[str, object]:
    return {"channel": channel, "event_id": key, "received_at": T0, "processed_at": T0 if done else None,
            "outbox": outbox, "claimed_by": worker, "claimed_at": T0, "tries": 1}


async def test_renewing_a_workers_claims_reads_only_what_it_holds(db_url: str) -> None:
    engine = make_engine(db_url)
    handled = [event("telegram", str(n), "w-gone" if n % 2 else "w-me", done=True) for n in range(5000)]
    in_hand = [event("telegram", f"open-{n}", "w-me", done=False) for n in range(4)]  # open-3: never reached it
    unsent = [event("telegram", "unsent", "w-me", done=True, outbox=[{"method": "sendMessage"}])]
    elsewhere = [event("telegram", "theirs", "w-other", done=False), event("zalo", "open-0", "w-me", done=False)]
    try:
        await upgrade_async(engine)
        async with engine.begin() as conn:
            await conn.execute(insert(t.inbound_events), handled + in_hand + unsent + elsewhere)
            await conn.execute(text("ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE inbound_events"))
        statement = renewal("telegram", "w-me", T0 + timedelta(seconds=10),
                            ["open-0", "open-1", "open-2", "unsent", "theirs", "7", "8"])
        async with engine.connect() as conn:
            compiled = statement.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
            params = tuple(compiled.params[k] for k in compiled.positiontup or ())
            explain = "EXPLAIN " if conn.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
            plan = " ".join(str(r[-1]) for r in await conn.exec_driver_sql(explain + str(compiled), params))
        assert "ix_inbound_events_held" in plan, plan
        async with autocommit(engine) as conn:
            assert (await conn.execute(statement)).rowcount == 4  # three unfinished, one with replies unsent
        async with engine.connect() as conn:
            renewed = {(r.channel, r.event_id) for r in await conn.execute(
                select(_E.channel, _E.event_id).where(_E.claimed_at > T0))}
        assert renewed == {("telegram", "open-0"), ("telegram", "open-1"), ("telegram", "open-2"),
                           ("telegram", "unsent")}
    finally:
        await engine.dispose()
