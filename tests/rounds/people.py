"""Citizens registering and taking attempts through the services, as the channels make them do."""
from __future__ import annotations

from bot.compose import App
from quiz.attempts import Attempt


async def register(app: App, now: object, *, user: str, phone: str, unit: str = "T-A-1",
                   name: str = "Nguyễn Văn An") -> int:
    account = await app.people.account(channel="console", external_id=user, locale="vi", now=now)  # type: ignore[arg-type]
    person = await app.people.register(account_id=account.id, full_name=name, birth_year=1990, phone=phone,
                                       unit_code=unit,
                              referral=None, now=now)  # type: ignore[arg-type]
    return person.id


async def play(app: App, clock: object, pid: int, *, right: int, seconds: float = 10, round_code: str = "chinh",
               prediction: int | None = None, finish: bool = True) -> Attempt:
    """An attempt with the first `right` answers right and the rest wrong, `seconds` per answer."""
    attempt = await app.play.start_attempt(participant_id=pid, round_code=round_code, now=clock())  # type: ignore[operator]
    for position, item in enumerate(attempt.paper):
        clock.advance(seconds=seconds)  # type: ignore[attr-defined]
        question = app.runtime.questions(attempt.set_name, attempt.set_version)[item.question_id]
        good = item.shown_correct(question)
        await app.play.answer(attempt_id=attempt.id, participant_id=pid, position=position,
                       choice=good if position < right else (good + 1) % len(item.order), now=clock())  # type: ignore[operator]
    if prediction is not None:
        await app.play.predict(attempt_id=attempt.id, participant_id=pid, prediction=prediction, now=clock())  # type: ignore[operator]
    if finish:
        await app.play.finish(attempt_id=attempt.id, participant_id=pid, now=clock())  # type: ignore[operator]
    return attempt
