"""Citizens: accounts, consent, registration, linking channels, and their own data."""
from __future__ import annotations

from datetime import datetime

from quiz.attempts import Attempt
from quiz.linking import CODE_TTL, LinkRefused, Refusal, new_code, normalise_code, refusal
from quiz.people import CONSENT_VERSION, PURPOSE_CONTEST, Account, AccountTaken, LinkCode, Participant
from quiz.ports import UnitOfWork, UowFactory
from quiz.services.live import LiveContest
from quiz.services.standings import Standings


class People:
    """What a citizen does as a person: their account, consent, registration, linked channels, own data."""

    def __init__(self, *, live: LiveContest, uow: UowFactory, read: UowFactory, standings: Standings) -> None:
        self._live, self._uow, self._read, self._standings = live, uow, read, standings

    # accounts, consent, registration
    async def account(self, *, channel: str, external_id: str, locale: str | None, now: datetime) -> Account:
        """The chat account an event came from; every event asks, so a known one is only read."""
        async with self._read() as uow:
            known = await uow.accounts.find(channel=channel, external_id=external_id)
        if known is not None:
            return known
        async with self._uow() as uow:
            acc = await uow.accounts.get_or_create(channel=channel, external_id=external_id, locale=locale, now=now)
            await uow.commit()
            return acc

    async def set_locale(self, *, account_id: int, locale: str) -> None:
        async with self._uow() as uow:
            await uow.accounts.set_locale(account_id=account_id, locale=locale)
            await uow.commit()

    async def consents(self, *, account_id: int) -> dict[str, bool]:
        async with self._read() as uow:
            return {p: c.granted for p, c in (await uow.consents.latest(account_id=account_id)).items()}

    async def consent(self, *, account_id: int, purpose: str, granted: bool, now: datetime) -> None:
        async with self._uow() as uow:
            await uow.consents.record(account_id=account_id, purpose=purpose, granted=granted,
                                      text_version=CONSENT_VERSION, now=now)
            await uow.commit()

    async def phone_taken(self, phone: str) -> bool:
        async with self._read() as uow:
            return await uow.participants.phone_taken(phone)

    async def register(self, *, account_id: int, full_name: str, birth_year: int, phone: str, unit_code: str,
                       referral: str | None, now: datetime) -> Participant:
        """Create the participant and bind this account; PhoneTaken if the number is in use."""
        if unit_code not in self._live.runtime.units:
            raise ValueError(f"unknown unit {unit_code}")
        async with self._uow() as uow:
            person = await uow.participants.add(full_name=full_name, birth_year=birth_year, phone=phone,
                                                unit_code=unit_code, referral=referral, now=now)
            await uow.accounts.link(account_id=account_id, participant_id=person.id)
            await uow.consents.attach(account_id=account_id, participant_id=person.id)
            await uow.counters.bump(unit_code=unit_code, participants=1)
            await uow.commit()
            return person

    async def change_unit(self, *, participant_id: int, unit_code: str) -> None:
        """Move the participant to another unit; unit participation counts move with them."""
        if unit_code not in self._live.runtime.units:
            raise ValueError(f"unknown unit {unit_code}")
        async with self._uow() as uow:
            person = await uow.participants.get(participant_id)
            if person is None or person.erased or person.unit_code == unit_code:
                return
            await uow.participants.set_unit(participant_id=participant_id, unit_code=unit_code)
            if person.unit_code:
                await uow.counters.bump(unit_code=person.unit_code, participants=-1)
            await uow.counters.bump(unit_code=unit_code, participants=1)
            await uow.commit()
        self._standings.forget_person(participant_id)

    async def participant(self, participant_id: int) -> Participant | None:
        async with self._read() as uow:
            return await uow.participants.get(participant_id)

    # one contestant across channels: a code shown on one channel links an account on another
    async def issue_link_code(self, *, participant_id: int, now: datetime) -> LinkCode:
        """A new one-time code for linking another chat account; the participant's earlier codes stop working."""
        async with self._uow() as uow:
            await uow.links.revoke(participant_id=participant_id, now=now)
            for _ in range(5):
                link = LinkCode(new_code(), participant_id, now, now + CODE_TTL)
                if await uow.links.add(link):
                    await uow.commit()
                    return link
        raise RuntimeError("no free link code after 5 draws")

    async def link_target(self, *, account_id: int, code: str, now: datetime) -> Participant:
        """Whom `code` would link this account to; LinkRefused if it would not. Nothing changes."""
        async with self._uow() as uow:
            person, _account = await self._link_check(uow, account_id=account_id, code=code, now=now)
            return person

    async def link_account(self, *, account_id: int, code: str, now: datetime) -> Participant:
        """Join this account to the code's participant (one quota, one ranking) and use the code up.

        The citizen confirmed the link, and with it the data use they consented to when they
        registered; that consent is recorded for this account too."""
        async with self._uow() as uow:
            person, account = await self._link_check(uow, account_id=account_id, code=code, now=now)
            if not await uow.links.use(code=normalise_code(code) or "", now=now):
                raise LinkRefused(Refusal.INVALID)
            try:
                if not await uow.links.attach(account_id=account_id, participant_id=person.id):
                    raise LinkRefused(Refusal.OWN)  # it registered meanwhile
            except AccountTaken:
                raise LinkRefused(Refusal.CHANNEL_TAKEN, channel=account.channel) from None
            await uow.consents.record(account_id=account_id, purpose=PURPOSE_CONTEST, granted=True,
                                      text_version=CONSENT_VERSION, now=now)
            await uow.consents.attach(account_id=account_id, participant_id=person.id)
            await uow.commit()
            return person

    async def _link_check(self, uow: UnitOfWork, *, account_id: int, code: str,
                          now: datetime) -> tuple[Participant, Account]:
        account = await uow.accounts.get(account_id)
        normal = normalise_code(code)
        link = await uow.links.get(normal) if normal else None
        why = refusal(link, account=account, now=now)
        if why is not None or link is None or account is None:
            raise LinkRefused(why or Refusal.INVALID)
        person = await uow.participants.get(link.participant_id)
        if person is None or person.erased:
            raise LinkRefused(Refusal.INVALID)
        if await uow.links.account_on(participant_id=person.id, channel=account.channel) is not None:
            raise LinkRefused(Refusal.CHANNEL_TAKEN, channel=account.channel)
        return person, account


    # personal data
    async def my_data(self, *, account_id: int,
                      participant_id: int | None) -> tuple[Participant | None, list[Attempt], dict[str, bool]]:
        """What is stored about the citizen: the participant, their attempts, their consent choices."""
        async with self._read() as uow:
            person = await uow.participants.get(participant_id) if participant_id else None
            consents = {p: c.granted for p, c in (await uow.consents.latest(account_id=account_id)).items()}
            attempts = await uow.attempts.of_participant(participant_id=participant_id) if participant_id else []
        return person, attempts, consents

    async def erase(self, *, participant_id: int, now: datetime) -> None:
        """Anonymise the participant and unlink every chat account; unit counts stay."""
        async with self._uow() as uow:
            await uow.participants.anonymise(participant_id=participant_id, now=now)
            await uow.accounts.forget_participant(participant_id=participant_id)
            await uow.commit()
        self._standings.forget_person(participant_id)
        self._standings.invalidate()  # they leave every board
