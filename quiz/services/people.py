"""Citizens: accounts, consent, registration, linking channels, and their own data."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from quiz.attempts import Attempt, local_day
from quiz.identity import Guardian, PhoneKeys, PhoneSource, may_be_under, takes_over
from quiz.integrity import Flag, FlagKind
from quiz.linking import CODE_TTL, LinkRefused, Refusal, new_code, normalise_code, refusal
from quiz.people import (
    CONSENT_VERSION,
    PURPOSE_CONTEST,
    PURPOSE_NEWS,
    PURPOSE_PRIZES,
    PURPOSES,
    Account,
    AccountTaken,
    LinkCode,
    Participant,
    PhoneTaken,
    asks_guardian,
    taking_part_refusal,
)
from quiz.ports import ChatTraces, UnitOfWork, UowFactory
from quiz.services.live import LiveContest
from quiz.services.standings import Standings

PHONE_TAKEN_OVER = "phone_taken_over"  # the notice a typed registration gets when the owner claims the number


class People:
    """What a citizen does as a person: their account, consent, registration, linked channels, own data."""

    ACCOUNTS = 100_000  # registered accounts remembered for answers' taps

    def __init__(self, *, live: LiveContest, uow: UowFactory, read: UowFactory, standings: Standings,
                 phone_keys: PhoneKeys, traces: ChatTraces | None = None) -> None:
        self._live, self._uow, self._read, self._standings = live, uow, read, standings
        self._keys, self._traces = phone_keys, traces
        self._remembered: dict[tuple[str, str], Account] = {}  # (channel, external id) → as last read here
        self._remembered_ids: dict[int, tuple[str, str]] = {}

    # accounts, consent, registration
    async def account(self, *, channel: str, external_id: str, locale: str | None, now: datetime,
                      remembered: bool = False) -> Account:
        """The chat account an event came from; every event asks, so a known one is only read.

        `remembered`: the account as this worker last read it will do, if it was registered then. Only an
        answer's tap asks so, and the answer's write checks the account again (quiz.ports.AnswerLog), so a
        change another worker made meanwhile is never acted on, only noticed (AccountMoved) and read again.
        An unregistered one is always read: it may have registered on another worker."""
        key = (channel, external_id)
        kept = self._remembered.get(key) if remembered else None
        if kept is not None and kept.participant_id is not None:
            return kept
        async with self._read() as uow:
            known = await uow.accounts.find(channel=channel, external_id=external_id)
        if known is None:
            async with self._uow() as uow:
                known = await uow.accounts.get_or_create(channel=channel, external_id=external_id, locale=locale,
                                                         now=now)
                await uow.commit()
        self._forget(known.id)
        self._remembered[key], self._remembered_ids[known.id] = known, key
        if len(self._remembered) > self.ACCOUNTS:
            self._forget(next(iter(self._remembered.values())).id)
        return known

    def _forget(self, *account_ids: int | None, participant_id: int | None = None) -> None:
        """This worker changed these accounts (or those of the participant): read them again next time."""
        if participant_id is not None:  # an erasure: rare enough to look through them all
            account_ids += tuple(a.id for a in self._remembered.values() if a.participant_id == participant_id)
        for account_id in account_ids:
            key = self._remembered_ids.pop(account_id, None) if account_id is not None else None
            if key is not None:
                self._remembered.pop(key, None)

    async def set_locale(self, *, account_id: int, locale: str) -> None:
        async with self._uow() as uow:
            await uow.accounts.set_locale(account_id=account_id, locale=locale)
            await uow.commit()
        self._forget(account_id)

    async def consents(self, *, account_id: int) -> dict[str, bool]:
        async with self._read() as uow:
            return {p: c.granted for p, c in (await uow.consents.latest(account_id=account_id)).items()}

    async def consent(self, *, account_id: int, purpose: str, granted: bool, now: datetime) -> None:
        async with self._uow() as uow:
            await uow.consents.record(account_id=account_id, purpose=purpose, granted=granted,
                                      text_version=CONSENT_VERSION, now=now)
            await uow.commit()

    async def register(self, *, account_id: int, full_name: str, birth_year: int, phone: str, unit_code: str,
                       referral: str | None, now: datetime,
                       phone_source: PhoneSource = PhoneSource.TYPED) -> Participant:
        """Create the participant and bind this account; PhoneTaken if the number is in use and this claim
        does not win it (quiz.identity.takes_over). A number registered before and erased brings its
        quota along: the attempts it used still count."""
        if unit_code not in self._live.runtime.units:
            raise ValueError(f"unknown unit {unit_code}")
        async with self._uow() as uow:
            holder = await uow.participants.holder(phone)
            if holder is not None:
                if not takes_over(phone_source, PhoneSource.stored(holder.phone_verified_by)):
                    raise PhoneTaken(phone)
                await self._take_over(uow, holder, now)
            person = await uow.participants.add(
                full_name=full_name, birth_year=birth_year, phone=phone, unit_code=unit_code, referral=referral,
                now=now, phone_key=self._keys(phone),
                phone_verified_by=phone_source.value if phone_source.verified else None)
            await uow.accounts.link(account_id=account_id, participant_id=person.id)
            await uow.consents.attach(account_id=account_id, participant_id=person.id)
            await uow.counters.bump(unit_code=unit_code, participants=1)
            await uow.commit()
        self._forget(account_id)
        return person

    async def _take_over(self, uow: UnitOfWork, holder: Participant, now: datetime) -> None:
        """The number goes to its verified owner: the typed registration keeps its name, loses the number
        (and with it the number's quota: its attempts no longer count against the owner's), is told so at
        its next message, and its attempts in ranked rounds go to the organisers' review."""
        await uow.participants.release_phone(participant_id=holder.id)
        for account in await uow.accounts.of_participant(holder.id):
            await uow.notices.add(account_id=account.id, kind=PHONE_TAKEN_OVER, now=now)
        rounds = {a.round_code for a in await uow.attempts.of_participant(participant_id=holder.id) if not a.practice}
        for code in sorted(rounds):
            await uow.reviews.add(round_code=code, flags=[Flag(FlagKind.PHONE_TAKEN_OVER, holder.id, None)], now=now)
        self._standings.forget_person(holder.id)

    async def verify_phone(self, *, participant_id: int, source: PhoneSource) -> None:
        """The registered number is proven now (a code typed back, a contact shared later)."""
        if not source.verified:
            return
        async with self._uow() as uow:
            await uow.participants.set_phone_verified(participant_id=participant_id, source=source.value)
            await uow.commit()
        await self._standings.verified(participant_id)  # under a contest ranking proven numbers only, they rank now

    async def replace_phone(self, *, participant_id: int, phone: str, source: PhoneSource, now: datetime) -> bool:
        """A number the platform proves is the citizen's own in place of the one they typed when registering
        (mistyped, or changed since): their attempts then count by the proven number, as after
        `verify_phone`. Claimed as at registration (quiz.identity.takes_over): PhoneTaken if another
        registration proved it; one that only typed it loses it (`_take_over`). False, changing nothing, if
        the registration's number is no longer only typed (proven or erased meanwhile)."""
        if not source.verified:
            raise ValueError("only a proven number replaces a typed one")
        async with self._uow() as uow:
            holder = await uow.participants.holder(phone)
            if holder is not None and holder.id != participant_id:
                if not takes_over(source, PhoneSource.stored(holder.phone_verified_by)):
                    raise PhoneTaken(phone)
                await self._take_over(uow, holder, now)
            if not await uow.participants.replace_phone(participant_id=participant_id, phone=phone,
                                                        phone_key=self._keys(phone), source=source.value):
                return False  # nothing committed: a holder's number is only taken for a replacement
            await uow.commit()
        await self._standings.verified(participant_id)
        return True

    async def holder(self, phone: str) -> Participant | None:
        """The registration holding this number (a recovery by phone and code finds it here)."""
        async with self._read() as uow:
            return await uow.participants.holder(phone)

    async def recover(self, *, account_id: int, phone: str, now: datetime) -> Participant | None:
        """After the number's code was typed back: this chat account becomes the registration's account on
        its channel (a citizen on a new browser or phone), taking over from the account it had there.
        None if no registration holds the number."""
        async with self._uow() as uow:
            person = await uow.participants.holder(phone)
            account = await uow.accounts.get(account_id)
            if person is None or account is None or account.participant_id not in (None, person.id):
                return None
            earlier = await uow.links.account_on(participant_id=person.id, channel=account.channel)
            if earlier is not None and earlier.id != account_id:
                await uow.accounts.link(account_id=earlier.id, participant_id=None)
            await uow.accounts.link(account_id=account_id, participant_id=person.id)
            await uow.consents.record(account_id=account_id, purpose=PURPOSE_CONTEST, granted=True,
                                      text_version=CONSENT_VERSION, now=now)
            await uow.consents.attach(account_id=account_id, participant_id=person.id)
            if not person.phone_verified_by:
                await uow.participants.set_phone_verified(participant_id=person.id, source=PhoneSource.CODE.value)
            await uow.commit()
        self._forget(account_id, earlier.id if earlier is not None else None)
        if earlier is not None:  # the browser left behind (a shared computer, say) no longer shows their data
            await self._forget_chats([earlier])
        await self._standings.verified(person.id)
        return person

    async def _forget_chats(self, accounts: Sequence[Account]) -> None:
        if self._traces is not None and accounts:
            await self._traces.forget([(a.channel, a.external_id) for a in accounts])

    # taking part: a guardian's consent under 16, consent withdrawn
    def needs_guardian(self, person: Participant, now: datetime) -> bool:
        """Whether the participant may be under 16, so that a parent's or guardian's consent comes first."""
        return person.birth_year is not None and may_be_under(person.birth_year, local_day(now, self._live.runtime.tz))

    async def guardian(self, participant_id: int) -> Guardian | None:
        async with self._read() as uow:
            return await uow.guardians.get(participant_id)

    async def set_guardian(self, *, participant_id: int, guardian: Guardian, now: datetime) -> None:
        async with self._uow() as uow:
            await uow.guardians.put(participant_id=participant_id, guardian=guardian, now=now)
            await uow.commit()

    async def may_take_part(self, participant_id: int, *, now: datetime) -> str | None:
        """Why the participant may not start an attempt now (quiz.people.taking_part_refusal), or None."""
        today = local_day(now, self._live.runtime.tz)
        async with self._read() as uow:
            person = await uow.participants.get(participant_id)
            guardian = await uow.guardians.get(participant_id) if asks_guardian(person, today) else None
        return taking_part_refusal(person, has_guardian=guardian is not None, today=today)

    async def withdraw(self, *, participant_id: int, now: datetime) -> None:
        """Withdraw the consent to take part: every account of the participant records it, no attempt may
        start, and their attempts leave every ranking. Their data stays until they erase it (which the
        citizen is offered at once) or the contest's data is deleted."""
        async with self._uow() as uow:
            for account in await uow.accounts.of_participant(participant_id):
                for purpose in PURPOSES:
                    await uow.consents.record(account_id=account.id, purpose=purpose, granted=False,
                                              text_version=CONSENT_VERSION, now=now)
            await uow.participants.withdraw(participant_id=participant_id, now=now)
            await uow.commit()
        await self._standings.left(participant_id)

    async def notices(self, *, account_id: int, now: datetime) -> list[str]:
        """What this account must be told before anything else (each once)."""
        async with self._read() as uow:
            pending = await uow.notices.pending(account_id)
        if not pending:
            return []
        async with self._uow() as uow:
            await uow.notices.shown(ids=[i for i, _k in pending], now=now)
            await uow.commit()
        return [kind for _i, kind in pending]

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
        self._forget(account_id)
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
        """Remove name, birth year, phone, referral and any guardian's details; stop every message (news
        and prize contact withdrawn on each account); unlink every chat account; unit counts stay.
        What stays until the contest's data is deleted: the number's keyed hash and the attempts it used,
        so that registering again continues the same quota (quiz.identity)."""
        async with self._uow() as uow:
            accounts = await uow.accounts.of_participant(participant_id)
            for account in accounts:
                for purpose in (PURPOSE_NEWS, PURPOSE_PRIZES):
                    await uow.consents.record(account_id=account.id, purpose=purpose, granted=False,
                                              text_version=CONSENT_VERSION, now=now)
            await uow.guardians.remove([participant_id])
            await uow.participants.anonymise([participant_id], now=now)
            await uow.accounts.forget_participants([participant_id])
            await uow.commit()
        self._forget(participant_id=participant_id)
        await self._forget_chats(accounts)  # what every chat of theirs kept, a browser's conversation included
        await self._standings.left(participant_id)  # they leave every board
