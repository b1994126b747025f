"""Benchmark: the CPU a webhook answer spends on its reply's Bot API calls, in process (no network).

One answer on Telegram plans the next question as an edit of the pressed message (its keyboard built),
stores the plan with the update (the outbox), writes the edit's request body, and reads Telegram's answer to
it. Times each step for a question of four options, the service's way and aiogram's own (`prepare_value`'s
walk for the body, `check_response` for the answer, which parses the edited Message). Prints µs per step and
a last line like `replies: 99 µs per answer (aiogram's way: 176 µs)`.

    .venv/bin/python bench/replies.py
"""
from __future__ import annotations

import argparse
import timeit
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from aiogram import Bot

from bot.channels.telegram.plan import dump
from bot.channels.telegram.render import Renderer, Target
from bot.channels.telegram.sender import Sender
from bot.channels.telegram.session import JsonSession, succeeded
from bot.config import ROOT
from bot.i18n import Translator
from quiz.conversation.actions import Answer, Submit
from quiz.conversation.context import button
from quiz.conversation.messages import Button, Msg, Outcome, Progress, Reply
from quiz.conversation.playing import progress_bar
from quiz.model import LETTERS

OPTIONS = ("Cổng Dịch vụ công quốc gia", "Ứng dụng VNeID", "Trang thông tin điện tử của tỉnh", "Tổng đài 1022")


def question(position: int = 4, total: int = 20) -> Outcome:
    """The reply a press gets on Telegram: the next question, edited into the pressed message."""
    options = tuple(f"{LETTERS[i]}. {text}" for i, text in enumerate(OPTIONS))
    text = Msg("play.question", k=position + 1, n=total, bar=progress_bar(position, total),
               left=timedelta(minutes=27, seconds=41), text="Công dân tra cứu hồ sơ thủ tục hành chính ở đâu?",
               options=options)
    letters = tuple(Button(Msg("play.option", letter=LETTERS[i]), Answer(123456, position, i)) for i in range(4))
    buttons = (letters[:3], letters[3:], (button("play.finish_early", Submit(123456)),))
    deadline = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
    reply = Reply((text,), buttons, replace=True, progress=Progress(position + 1, total, deadline, 123456))
    return Outcome((reply,), Msg("toast.recorded", k=position, letter="B"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5000)
    opts = parser.parse_args()
    session = JsonSession()
    bot = Bot(token="123456:bench", session=session)
    renderer = Renderer(Translator(ROOT / "locales"), Sender(bot))
    target = Target(987654321, pressed=4242)
    (step,) = renderer.plan(question(), "vi", target)
    edit = step.method
    answer = orjson.dumps({"ok": True, "result": {
        "message_id": 4242, "date": 1764820000, "edit_date": 1764820001, "text": "…",
        "chat": {"id": 987654321, "type": "private", "first_name": "An"},
        "reply_markup": orjson.loads(session.json_body(bot, edit) or b"{}")["reply_markup"]}}).decode()

    def timed(name: str, work: Callable[[], Any]) -> float:
        work()
        micro = min(timeit.repeat(work, number=opts.runs, repeat=3)) / opts.runs * 1e6
        print(f"{name:<44} {micro:7.1f} µs")
        return micro

    plan = timed("plan (the keyboard and the edit)", lambda: renderer.plan(question(), "vi", target))
    store = timed("the plan stored with the update (outbox)", lambda: dump([step]))
    body = timed("the edit's request body", lambda: session.json_body(bot, edit))
    walked = timed("  aiogram's walk", lambda: session.walked_body(bot, edit))
    read = timed("Telegram's answer read", lambda: succeeded(answer))
    checked = timed("  aiogram's check_response", lambda: session.check_response(
        bot=bot, method=edit, status_code=200, content=answer))
    ours, theirs = plan + store + body + read, plan + store + walked + checked
    print(f"replies: {ours:.0f} µs per answer (aiogram's way: {theirs:.0f} µs)")


if __name__ == "__main__":
    main()
