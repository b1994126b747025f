"""The daily deletion of what is kept no longer than needed (quiz.retention)."""
from __future__ import annotations

from datetime import datetime

from quiz.ports import ChatTraces, UowFactory
from quiz.retention import DEFAULT, Periods, Swept, deletion_cutoff
from quiz.services.live import LiveContest
from quiz.services.standings import Standings

BATCH = 500  # participants anonymised per unit of work


class Housekeeping:
    def __init__(self, *, live: LiveContest, uow: UowFactory, standings: Standings,
                 periods: Periods = DEFAULT, traces: ChatTraces | None = None) -> None:
        self._live, self._uow, self._standings, self._periods = live, uow, standings, periods
        self._traces = traces

    async def sweep(self, *, now: datetime) -> Swept:
        """Delete processed inbound events, spent codes and idle unregistered accounts after their periods;
        once the contest's data period is over, every participant's personal data (and the keyed hash of
        the numbers erasure kept) too. Counts and attempts stay, without anyone's name."""
        p = self._periods
        async with self._uow() as uow:
            events = await uow.housekeeping.processed_events(before=now - p.processed_events)
            links = await uow.housekeeping.link_codes(expired_before=now - p.link_codes)
            codes = await uow.housekeeping.phone_codes(expired_before=now - p.phone_codes)
            accounts = await uow.housekeeping.idle_accounts(seen_before=now - p.idle_accounts)
            await uow.commit()
        people = 0
        cutoff = deletion_cutoff(self._live.runtime.contest, now)
        if cutoff is not None:
            async with self._uow() as uow:
                due = await uow.participants.registered_before(cutoff)
            for start in range(0, len(due), BATCH):
                batch = due[start:start + BATCH]
                async with self._uow() as uow:  # four statements for the batch, not five for each person
                    chats = [(a.channel, a.external_id) for a in await uow.accounts.of_participants(batch)]
                    await uow.guardians.remove(batch)
                    await uow.participants.anonymise(batch, now=now, keep_key=False)
                    await uow.accounts.forget_participants(batch)
                    await uow.commit()
                if self._traces is not None and chats:  # what their chats kept (a browser's conversation) too
                    await self._traces.forget(chats)
                people += len(batch)
            if people:
                await self._standings.changed()
        return Swept(events, links, codes, accounts, people)
