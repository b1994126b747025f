"""Broadcasts: previews kept in storage, who receives one (quiz.broadcasts.audience), and each
delivery claimed in its own transaction before it is sent, so nobody is messaged twice."""
from __future__ import annotations

from datetime import datetime, timedelta

from quiz.audit import Actor
from quiz.broadcasts import SENDING, SKIPPED, Broadcast, Recipient, audience, checked_body
from quiz.drafts import Draft, Stale, new_token
from quiz.ports import UowFactory

DRAFT_KIND = "broadcast"


class Broadcasts:
    DRAFT_TTL = timedelta(hours=2)

    def __init__(self, *, uow: UowFactory, read: UowFactory) -> None:
        self._uow, self._read = uow, read

    async def create(self, *, kind: str, text_vi: str, text_en: str = "", created_by: int | None = None,
                     by: Actor, now: datetime) -> Broadcast:
        """A pending broadcast; BadBroadcast if its text cannot go out."""
        body = checked_body(kind, text_vi, text_en)
        async with self._uow() as uow:
            made = await uow.broadcasts.add(kind=kind, body=body, created_by=created_by, now=now)
            await uow.audit.add(by.entry(now, "broadcast.create", str(made.id), {"kind": kind, "text": body}))
            await uow.commit()
        return made

    # previews: "Xuất bản"/"Gửi ngay" may reach any worker, and a form sent twice starts one broadcast
    async def preview(self, *, kind: str, text_vi: str, text_en: str, owner: str, now: datetime) -> str:
        body = checked_body(kind, text_vi, text_en)
        draft = Draft(new_token(), DRAFT_KIND, owner, {"kind": kind, "body": body}, now + self.DRAFT_TTL)
        async with self._uow() as uow:
            await uow.drafts.put(draft, now=now)
            await uow.commit()
        return draft.token

    async def create_from(self, token: str, *, owner: str, created_by: int | None, by: Actor,
                          now: datetime) -> Broadcast:
        """The broadcast a preview becomes; the one it already became if the form is sent again;
        Stale if the preview expired or is someone else's."""
        async with self._uow() as uow:
            draft = await uow.drafts.take(token)
            if draft is None or draft.kind != DRAFT_KIND or not draft.usable_by(owner, now):
                raise Stale(token)
            started = draft.payload.get("started")
            if isinstance(started, int):
                found = await uow.broadcasts.get(started)
                if found is None:
                    raise Stale(token)
                return found  # nothing changed: the unit of work rolls back and the marker stays
            body = dict(draft.payload["body"])
            made = await uow.broadcasts.add(kind=str(draft.payload["kind"]), body=body, created_by=created_by,
                                            now=now)
            await uow.drafts.put(Draft(token, DRAFT_KIND, owner, {"started": made.id}, draft.expires_at), now=now)
            await uow.audit.add(by.entry(now, "broadcast.create", str(made.id), {"kind": made.kind, "text": body}))
            await uow.commit()
        return made

    # reading
    async def get(self, broadcast_id: int) -> Broadcast | None:
        async with self._read() as uow:
            return await uow.broadcasts.get(broadcast_id)

    async def recent(self, *, limit: int = 20) -> list[Broadcast]:
        async with self._read() as uow:
            return await uow.broadcasts.recent(limit=limit)

    async def unfinished(self) -> list[int]:
        async with self._read() as uow:
            return await uow.broadcasts.unfinished()

    async def reasons(self, broadcast_id: int) -> dict[str, int]:
        """How many deliveries were skipped or failed, by reason ("zalo_window", "blocked"…)."""
        async with self._read() as uow:
            return await uow.broadcasts.reasons(broadcast_id)

    async def recipients(self, broadcast_id: int | None = None) -> list[Recipient]:
        """Whom the broadcast still has to reach; with none, whom a new one would reach now."""
        async with self._read() as uow:
            accounts = await uow.broadcasts.accounts()
            choices = await uow.broadcasts.news_choices()
            reached = await uow.broadcasts.reached(broadcast_id) if broadcast_id is not None else set()
        return audience(accounts, choices, reached)

    # sending, one short transaction per step
    async def begin(self, broadcast_id: int, *, outstanding: int) -> bool:
        """Mark it running with its total; False if it was cancelled or finished meanwhile."""
        async with self._uow() as uow:
            started = await uow.broadcasts.begin(broadcast_id, outstanding=outstanding)
            await uow.commit()
        return started

    async def sweep(self, broadcast_id: int, *, now: datetime) -> int:
        """Claims left by a runner that stopped between sending and recording: failed, never resent."""
        async with self._uow() as uow:
            swept = await uow.broadcasts.sweep(broadcast_id, now=now)
            await uow.commit()
        return swept

    async def claim(self, broadcast_id: int, account_id: int, *, now: datetime) -> bool:
        """Take the right to message this account once; False if anyone took it before."""
        return await self._deliver(broadcast_id, account_id, SENDING, None, now)

    async def skip(self, broadcast_id: int, account_id: int, *, reason: str, now: datetime) -> bool:
        return await self._deliver(broadcast_id, account_id, SKIPPED, reason, now)

    async def _deliver(self, broadcast_id: int, account_id: int, status: str, detail: str | None,
                       now: datetime) -> bool:
        async with self._uow() as uow:
            done = await uow.broadcasts.deliver(broadcast_id, account_id, status=status, detail=detail, now=now)
            await uow.commit()
        return done

    async def settle(self, broadcast_id: int, account_id: int, *, status: str, detail: str | None,
                     now: datetime) -> None:
        """Record how a claimed delivery went, and count it."""
        async with self._uow() as uow:
            await uow.broadcasts.settle(broadcast_id, account_id, status=status, detail=detail, now=now)
            await uow.commit()

    async def finish(self, broadcast_id: int, *, now: datetime) -> None:
        async with self._uow() as uow:
            await uow.broadcasts.finish(broadcast_id, now=now)
            await uow.commit()

    async def cancel(self, broadcast_id: int, *, by: Actor, now: datetime) -> bool:
        """Stop sending; deliveries already made stay recorded."""
        async with self._uow() as uow:
            done = await uow.broadcasts.cancel(broadcast_id, now=now)
            if done:
                await uow.audit.add(by.entry(now, "broadcast.cancel", str(broadcast_id)))
            await uow.commit()
        return done
