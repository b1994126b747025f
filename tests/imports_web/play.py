"""Citizens' attempts made through the services, to see what publishing does to them."""
from __future__ import annotations

from typing import Any

from bot.compose import App
from quiz.attempts import Attempt


async def answered_practice_with(app: App, clock: Any, question_id: str, *, tries: int = 40) -> Attempt:
    """A finished practice attempt (every answer right by the current key) whose paper holds `question_id`."""
    now = clock()
    account = await app.people.account(channel="console", external_id="thi-sinh", locale="vi", now=now)
    person = await app.people.register(account_id=account.id, full_name="Nguyễn Văn An", birth_year=1990,
                                       phone="0912345678",
                              unit_code="T-A-1", referral=None, now=now)
    for _ in range(tries):
        attempt = await app.play.start_attempt(participant_id=person.id, round_code="luyen", now=clock())
        for position, item in enumerate(attempt.paper):
            question = app.runtime.questions(attempt.set_name, attempt.set_version)[item.question_id]
            await app.play.answer(attempt_id=attempt.id, participant_id=person.id, position=position,
                           choice=item.shown_correct(question), now=clock())
        result = await app.play.finish(attempt_id=attempt.id, participant_id=person.id, now=clock())
        assert result is not None
        if any(item.question_id == question_id for item in attempt.paper):
            return result.attempt
    raise AssertionError(f"no practice paper held {question_id} in {tries} tries")
