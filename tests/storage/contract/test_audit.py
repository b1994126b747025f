"""The audit log: entries come back newest first, a page at a time, whether or not they belong to the contest."""
from __future__ import annotations

from datetime import timedelta

from quiz.audit import AuditEntry
from quiz.ports import UowFactory

from .conftest import ON_EVERY_BACKEND
from .make import T0

pytestmark = ON_EVERY_BACKEND


def _entry(n: int, **kw: str) -> AuditEntry:
    fields = {"actor": "staff:lan", "action": "round.close", "target": f"vong-{n}", **kw}
    return AuditEntry(T0 + timedelta(minutes=n), detail={"n": n}, **fields)


async def test_the_audit_log_reads_newest_first_a_page_at_a_time(uow: UowFactory) -> None:
    async with uow() as w:
        for n in range(3):
            await w.audit.add(_entry(n))
        await w.audit.add(_entry(3, action="staff.add", target="btc.an"), contest_wide=False)  # no contest's
        await w.audit.add(_entry(4))
        await w.commit()
    async with uow() as w:
        page = await w.audit.recent(limit=2)
        rest = await w.audit.recent(limit=10, before=page[-1].id)
    assert [(e.target, e.at, e.detail) for e in page] == [("vong-4", T0 + timedelta(minutes=4), {"n": 4}),
                                                          ("btc.an", T0 + timedelta(minutes=3), {"n": 3})]
    assert [e.target for e in rest] == ["vong-2", "vong-1", "vong-0"]
    assert page[0].id > page[1].id > rest[0].id > 0


async def test_an_over_long_audit_entry_is_cut_to_what_the_log_keeps(uow: UowFactory) -> None:
    async with uow() as w:
        await w.audit.add(_entry(0, actor="telegram:" + "9" * 80, action="questions." + "x" * 60, target="t" * 300))
        await w.commit()
        kept = (await w.audit.recent(limit=1))[0]
    assert (len(kept.actor), len(kept.action), len(kept.target)) == (64, 48, 200)
