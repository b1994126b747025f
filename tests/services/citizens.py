"""Citizens registering and taking attempts through the use cases, as the channels make them do."""
from __future__ import annotations

from datetime import datetime

from conftest import Clock
from quiz.attempts import Attempt
from quiz.services import UseCases


async def register(uses: UseCases, now: datetime, *, user: str, phone: str, unit: str = "T-A-1",
                   name: str = "Nguyễn Văn An", channel: str = "console", referral: str | None = None) -> int:
    account = await uses.people.account(channel=channel, external_id=user, locale="vi", now=now)
    person = await uses.people.register(account_id=account.id, full_name=name, birth_year=1990, phone=phone,
                                        unit_code=unit, referral=referral, now=now)
    return person.id


def right_choice(uses: UseCases, attempt: Attempt, position: int) -> int:
    """Where the correct option of that question is shown on this paper."""
    item = attempt.paper[position]
    return item.shown_correct(uses.live.runtime.questions(attempt.set_name, attempt.set_version)[item.question_id])


def wrong_choice(uses: UseCases, attempt: Attempt, position: int) -> int:
    return (right_choice(uses, attempt, position) + 1) % len(attempt.paper[position].order)


async def play(uses: UseCases, clock: Clock, pid: int, *, right: int, seconds: float = 10,
               round_code: str = "chinh", prediction: int | None = None, finish: bool = True) -> Attempt:
    """An attempt with the first `right` answers right and the rest wrong, `seconds` per answer."""
    attempt = await uses.play.start_attempt(participant_id=pid, round_code=round_code, now=clock())
    for position in range(len(attempt.paper)):
        clock.advance(seconds=seconds)
        choice = right_choice(uses, attempt, position) if position < right else wrong_choice(uses, attempt, position)
        await uses.play.answer(attempt_id=attempt.id, participant_id=pid, position=position, choice=choice,
                               now=clock())
    if prediction is not None:
        await uses.play.predict(attempt_id=attempt.id, participant_id=pid, prediction=prediction, now=clock())
    if finish:
        await uses.play.finish(attempt_id=attempt.id, participant_id=pid, now=clock())
    return attempt
