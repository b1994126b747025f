"""One person, one quota; numbers proven or typed; a guardian's consent under 16; consent withdrawn;
what is deleted when — on the fakes."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from conftest import Clock
from fakes import Memory, use_cases
from publishing import ADMIN
from quiz.attempts import CapReached
from quiz.identity import Guardian, PhoneSource, VerifiedRule
from quiz.people import PURPOSE_NEWS, PhoneTaken, TakingPartRefused
from quiz.ports import VerifierUnavailable
from quiz.ranking import Unranked, winners
from quiz.runtime import ContestRuntime
from quiz.services import UseCases
from quiz.verification import Check, Purpose, SendRefused

from .citizens import play

PHONE = "0912345678"


async def join(uses: UseCases, clock: Clock, *, user: str, phone: str = PHONE, born: int = 1990,
               source: PhoneSource = PhoneSource.TYPED, name: str = "Nguyễn Văn An") -> int:
    account = await uses.people.account(channel="web", external_id=user, locale="vi", now=clock())
    person = await uses.people.register(account_id=account.id, full_name=name, birth_year=born, phone=phone,
                                        unit_code="T-A-1", referral=None, now=clock(), phone_source=source)
    return person.id


async def test_erasing_ones_data_and_registering_again_gives_no_new_attempt(uses: UseCases, clock: Clock) -> None:
    first = await join(uses, clock, user="a")
    for _ in range(2):  # "chinh" allows two attempts
        await play(uses, clock, first, right=3)
    await uses.people.erase(participant_id=first, now=clock())

    again = await join(uses, clock, user="a2", name="Người Khác Hẳn")  # the same number, a new browser
    assert again != first and (await uses.people.participant(first)).full_name == "—"  # type: ignore[union-attr]
    with pytest.raises(CapReached):
        await uses.play.start_attempt(participant_id=again, round_code="chinh", now=clock())
    other = await join(uses, clock, user="b", phone="0987654321")  # another number has its own quota
    assert (await uses.play.start_attempt(participant_id=other, round_code="chinh", now=clock())).id


async def test_erasure_stops_every_message(uses: UseCases, clock: Clock) -> None:
    pid = await join(uses, clock, user="a")
    account = await uses.people.account(channel="web", external_id="a", locale="vi", now=clock())
    await uses.people.consent(account_id=account.id, purpose=PURPOSE_NEWS, granted=True, now=clock())
    await uses.people.erase(participant_id=pid, now=clock())
    assert (await uses.people.consents(account_id=account.id))[PURPOSE_NEWS] is False


async def test_a_typed_squatter_loses_the_number_to_its_verified_owner(
        contest: tuple[UseCases, Memory], clock: Clock) -> None:
    uses, memory = contest
    squatter = await join(uses, clock, user="squatter", name="Kẻ Chiếm Số")
    await play(uses, clock, squatter, right=9)
    await play(uses, clock, squatter, right=9)

    owner = await join(uses, clock, user="owner", source=PhoneSource.TELEGRAM)  # Telegram vouches for it
    held = await uses.people.participant(squatter)
    assert held is not None and held.phone is None and held.full_name == "Kẻ Chiếm Số"  # keeps the name only
    assert (await uses.people.holder(PHONE)).id == owner  # type: ignore[union-attr]
    squatter_account = await uses.people.account(channel="web", external_id="squatter", locale="vi", now=clock())
    assert await uses.people.notices(account_id=squatter_account.id, now=clock()) == ["phone_taken_over"]
    assert await uses.people.notices(account_id=squatter_account.id, now=clock()) == []  # told once
    flagged = await uses.integrity.reviews("chinh")
    assert [(r.kind, r.participant_id) for r in flagged] == [("phone_taken_over", squatter)]
    await play(uses, clock, owner, right=10)  # the squatter's two attempts do not eat the owner's quota
    await play(uses, clock, owner, right=10)

    with pytest.raises(PhoneTaken):  # a verified number is not taken over, not even by another proof
        await join(uses, clock, user="third", source=PhoneSource.CODE)
    with pytest.raises(PhoneTaken):  # and a typed claim takes nothing
        await join(uses, clock, user="fourth")


async def test_a_fourteen_year_old_starts_no_attempt_before_a_guardians_consent(uses: UseCases, clock: Clock) -> None:
    child = await join(uses, clock, user="em", born=clock().year - 14)
    with pytest.raises(TakingPartRefused) as refused:
        await uses.play.start_attempt(participant_id=child, round_code="chinh", now=clock())
    assert refused.value.reason == "guardian"
    assert await uses.people.may_take_part(child, now=clock()) == "guardian"
    await uses.people.set_guardian(participant_id=child, guardian=Guardian("Nguyễn Văn Bố", "0977000111", "code"),
                                   now=clock())
    assert await uses.people.may_take_part(child, now=clock()) is None
    assert (await uses.play.start_attempt(participant_id=child, round_code="chinh", now=clock())).id
    adult = await join(uses, clock, user="anh", phone="0977000222", born=clock().year - 17)
    assert await uses.people.may_take_part(adult, now=clock()) is None
    await uses.people.erase(participant_id=child, now=clock())
    assert await uses.people.guardian(child) is None  # the guardian's details go with the child's


async def test_withdrawing_consent_stops_ranking_and_attempts(uses: UseCases, clock: Clock) -> None:
    leaving = await join(uses, clock, user="a")
    staying = await join(uses, clock, user="b", phone="0987654321")
    await play(uses, clock, leaving, right=10)
    await play(uses, clock, staying, right=5)
    await uses.people.withdraw(participant_id=leaving, now=clock())
    ranked, _ = await uses.standings.leaderboard(round_code="chinh")
    assert [r.standing.participant_id for r in ranked] == [staying]
    with pytest.raises(TakingPartRefused) as refused:
        await uses.play.start_attempt(participant_id=leaving, round_code="chinh", now=clock())
    assert refused.value.reason == "withdrawn"
    account = await uses.people.account(channel="web", external_id="a", locale="vi", now=clock())
    assert set((await uses.people.consents(account_id=account.id)).values()) == {False}


@pytest.mark.parametrize("rule", [VerifiedRule.TO_WIN, VerifiedRule.TO_RANK])
async def test_a_contest_can_ask_for_verified_numbers_to_win_or_to_rank(
        contest: tuple[UseCases, Memory], clock: Clock, rule: VerifiedRule) -> None:
    base, memory = contest
    runtime = base.live.runtime
    uses, _ = use_cases(ContestRuntime(replace(runtime.contest, verified_phones=rule), runtime.sets,
                                       runtime.rules_version, runtime.rules, runtime.tips, runtime.faq, runtime.units),
                        memory)
    typed = await join(uses, clock, user="typed")
    proven = await join(uses, clock, user="proven", phone="0987654321", source=PhoneSource.ZALO)
    mine = await play(uses, clock, typed, right=10, finish=False)
    result = await uses.play.finish(attempt_id=mine.id, participant_id=typed, now=clock())
    again = await uses.play.finish(attempt_id=mine.id, participant_id=typed, now=clock())  # shown again later
    await play(uses, clock, proven, right=6)
    told = {(r.rank, r.ranked_count, r.unranked) for r in (result, again) if r is not None}
    if rule is VerifiedRule.TO_WIN:  # a typed number ranks: the result says where
        assert told == {(1, 1, None)}
    else:  # not ranked, and the result says why rather than a place the board does not give
        assert told == {(None, 0, Unranked.UNVERIFIED)}
    ranked, _ = await uses.standings.leaderboard(round_code="chinh")
    prizewinners = [w.ranked.standing.participant_id for w in winners(ranked, runtime.contest.prizes, rule)]
    if rule is VerifiedRule.TO_WIN:
        assert [r.standing.participant_id for r in ranked] == [typed, proven] and prizewinners == [proven]
    else:
        assert [r.standing.participant_id for r in ranked] == [proven] and prizewinners == [proven]
    await uses.people.verify_phone(participant_id=typed, source=PhoneSource.CODE)  # proven later by a code
    ranked, _ = await uses.standings.leaderboard(round_code="chinh")
    assert [w.ranked.standing.participant_id for w in winners(ranked, runtime.contest.prizes, rule)][:2] == \
        [typed, proven]


class Texts:
    """A pretend SMS gateway: what it was asked to send, or a failure."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.down = False

    async def send_code(self, *, phone: str, code: str, minutes: int) -> None:
        if self.down:
            raise VerifierUnavailable()
        self.sent.append((phone, code))


async def test_a_code_proves_a_number_once_within_its_minutes_and_tries(
        contest: tuple[UseCases, Memory], clock: Clock) -> None:
    texts = Texts()
    uses, _ = use_cases(contest[0].live.runtime, contest[1], verifier=texts)
    await uses.phone_codes.send(phone=PHONE, purpose=Purpose.REGISTER, address="10.0.0.1", now=clock())
    (_phone, code), = texts.sent
    assert await uses.phone_codes.confirm(phone=PHONE, purpose=Purpose.RECOVER, typed=code, now=clock()) == Check.NONE
    assert await uses.phone_codes.confirm(phone=PHONE, purpose=Purpose.REGISTER, typed="000000" if code != "000000"
                                          else "111111", now=clock()) == Check.WRONG
    spaced = f"{code[:3]} {code[3:]}"
    assert await uses.phone_codes.confirm(phone=PHONE, purpose=Purpose.REGISTER, typed=spaced, now=clock()) == Check.OK
    assert await uses.phone_codes.confirm(phone=PHONE, purpose=Purpose.REGISTER, typed=code, now=clock()) == Check.NONE

    with pytest.raises(SendRefused) as refused:  # one text a minute to a number
        await uses.phone_codes.send(phone=PHONE, purpose=Purpose.REGISTER, address="10.0.0.1", now=clock())
    assert refused.value.reason == "too_soon"
    clock.advance(minutes=1)
    await uses.phone_codes.send(phone=PHONE, purpose=Purpose.REGISTER, address="10.0.0.1", now=clock())
    clock.advance(minutes=11)
    assert await uses.phone_codes.confirm(phone=PHONE, purpose=Purpose.REGISTER, typed=texts.sent[-1][1],
                                          now=clock()) == Check.EXPIRED

    for k in range(4):  # five wrong codes void a code
        await uses.phone_codes.send(phone=f"098765432{k}", purpose=Purpose.REGISTER, address="10.0.0.9", now=clock())
    target = "0987654320"
    verdicts = [await uses.phone_codes.confirm(phone=target, purpose=Purpose.REGISTER, typed="99999x", now=clock())
                for _ in range(5)]
    assert verdicts == [Check.WRONG] * 4 + [Check.USED_UP]
    right = next(c for p, c in texts.sent if p == target)
    assert await uses.phone_codes.confirm(phone=target, purpose=Purpose.REGISTER, typed=right,
                                          now=clock()) == Check.USED_UP


async def test_texts_are_limited_per_address_and_a_failed_gateway_costs_nothing(
        contest: tuple[UseCases, Memory], clock: Clock) -> None:
    texts = Texts()
    uses, _ = use_cases(contest[0].live.runtime, contest[1], verifier=texts)
    texts.down = True
    with pytest.raises(SendRefused) as refused:
        await uses.phone_codes.send(phone=PHONE, purpose=Purpose.REGISTER, address="10.0.0.1", now=clock())
    assert refused.value.reason == "unavailable"
    texts.down = False
    await uses.phone_codes.send(phone=PHONE, purpose=Purpose.REGISTER, address="10.0.0.1", now=clock())  # no wait
    for k in range(9):
        await uses.phone_codes.send(phone=f"09770001{k:02d}", purpose=Purpose.REGISTER, address="10.0.0.1",
                                    now=clock())
    with pytest.raises(SendRefused) as refused:  # a script texting a list of numbers from one address
        await uses.phone_codes.send(phone="0977000199", purpose=Purpose.REGISTER, address="10.0.0.1", now=clock())
    assert refused.value.reason == "address_limit" and len(texts.sent) == 10
    assert not contest[0].phone_codes.configured and uses.phone_codes.configured


async def test_recovering_by_phone_moves_the_registration_to_the_new_browser(uses: UseCases, clock: Clock) -> None:
    pid = await join(uses, clock, user="old-browser")
    fresh = await uses.people.account(channel="web", external_id="new-browser", locale="vi", now=clock())
    person = await uses.people.recover(account_id=fresh.id, phone=PHONE, now=clock())
    assert person is not None and person.id == pid
    assert (await uses.people.account(channel="web", external_id="new-browser", locale="vi", now=clock())) \
        .participant_id == pid
    assert (await uses.people.account(channel="web", external_id="old-browser", locale="vi", now=clock())) \
        .participant_id is None
    assert (await uses.people.participant(pid)).phone_verified_by == "code"  # type: ignore[union-attr]
    assert await uses.people.recover(account_id=fresh.id, phone="0900000000", now=clock()) is None


async def test_the_sweep_deletes_what_is_due_and_after_the_contest_everyones_data(
        contest: tuple[UseCases, Memory], clock: Clock) -> None:
    uses, memory = contest
    start = clock()
    await uses.rounds.change("chinh", {"closes": "2024-07-20 23:59"}, by=ADMIN, now=clock())  # 30 days on
    pid = await join(uses, clock, user="a")
    await uses.people.account(channel="telegram", external_id="lurker", locale="vi", now=clock())
    link = await uses.people.issue_link_code(participant_id=pid, now=clock())
    memory.events[("telegram", "1")] = clock()
    clock.advance(days=8)
    swept = await uses.housekeeping.sweep(now=clock())
    assert (swept.events, swept.link_codes, swept.accounts, swept.participants) == (1, 1, 0, 0)
    assert link.code not in memory.links
    clock.advance(days=100)  # the contest is over, its data period (90 days) not yet
    assert not await uses.housekeeping.sweep(now=clock())
    assert (await uses.people.participant(pid)).full_name == "Nguyễn Văn An"  # type: ignore[union-attr]

    clock.now = start + timedelta(days=31 + uses.live.runtime.contest.data_kept_days)
    assert (await uses.housekeeping.sweep(now=clock())).participants == 1
    gone = await uses.people.participant(pid)
    assert gone is not None and gone.erased and gone.phone is None and pid not in memory.phone_keys
    assert not await uses.housekeeping.sweep(now=clock())  # twice deletes nothing more
    late = await join(uses, clock, user="practice", phone="0987654321")  # practice after the contest is over
    clock.advance(days=1)
    assert (await uses.housekeeping.sweep(now=clock())).participants == 0  # kept as long after registering …
    clock.advance(days=uses.live.runtime.contest.data_kept_days)
    swept = await uses.housekeeping.sweep(now=clock())
    assert swept.participants == 1  # … and then deleted
    assert swept.accounts == 2  # the lurker and the emptied account, neither seen for 180 days
    assert (await uses.people.participant(late)).erased  # type: ignore[union-attr]
    clock.advance(days=180)
    assert (await uses.housekeeping.sweep(now=clock())).accounts == 1  # the practice player's, emptied since
