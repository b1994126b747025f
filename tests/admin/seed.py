"""Contest data made the way citizens make it: through the services, never raw SQL."""
from __future__ import annotations

from bot.compose import App
from publishing import ADMIN
from quiz.attempts import Attempt

PASSWORD = "mật khẩu đủ dài 2024"


async def add_staff(app: App, name: str, role: str, *, password: str = PASSWORD) -> None:
    await app.staff.add(username=name, password=password, role=role, by=ADMIN, now=app.clock())


async def register(app: App, *, user: str, phone: str, unit: str = "T-A-1", name: str = "Nguyễn Văn An",
                   referral: str | None = None) -> int:
    now = app.dispatcher.clock()
    account = await app.people.account(channel="console", external_id=user, locale="vi", now=now)
    person = await app.people.register(account_id=account.id, full_name=name, birth_year=1990, phone=phone,
                                       unit_code=unit,
                              referral=referral, now=now)
    return person.id


def right_choice(app: App, attempt: Attempt, position: int) -> int:
    item = attempt.paper[position]
    return item.shown_correct(app.runtime.questions(attempt.set_name, attempt.set_version)[item.question_id])


async def play(app: App, clock: object, participant_id: int, *, right: int, seconds_per_answer: float = 20,
               round_code: str = "chinh", prediction: int | None = None,
               wrong_on: set[str] | None = None) -> Attempt:
    """Take a whole attempt: the first `right` answers right (except questions in `wrong_on`), then wrong."""
    attempt = await app.play.start_attempt(participant_id=participant_id, round_code=round_code, now=clock())  # type: ignore[operator]
    for position, item in enumerate(attempt.paper):
        clock.advance(seconds=seconds_per_answer)  # type: ignore[attr-defined]
        good = right_choice(app, attempt, position)
        correct = position < right and item.question_id not in (wrong_on or set())
        await app.play.answer(attempt_id=attempt.id, participant_id=participant_id, position=position,
                       choice=good if correct else (good + 1) % len(item.order), now=clock())  # type: ignore[operator]
    if prediction is not None:
        await app.play.predict(attempt_id=attempt.id, participant_id=participant_id, prediction=prediction,
                        now=clock())  # type: ignore[operator]
    result = await app.play.finish(attempt_id=attempt.id, participant_id=participant_id, now=clock())  # type: ignore[operator]
    assert result is not None
    return result.attempt
