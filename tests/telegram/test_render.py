"""Rendering corner cases: long texts, and a message that can no longer be edited in place."""
from __future__ import annotations

from bot.channels.telegram.render import TEXT_LIMIT, Renderer, Target
from bot.channels.telegram.sender import Sender
from bot.compose import App
from quiz.conversation.actions import Menu
from quiz.conversation.messages import Button, Msg, Outcome, Reply

from .fake_api import FakeTelegram

NEXT = ((Button(Msg("menu.back"), Menu()),),)


def not_editable(description: str) -> dict[str, object]:
    return {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}


async def test_a_text_longer_than_telegram_allows_arrives_in_pieces_with_the_buttons_on_the_last(
        application: App, sender: Sender, fake: FakeTelegram) -> None:
    answer = "\n".join(f"Dòng {i}: hướng dẫn thủ tục trên Cổng Dịch vụ công quốc gia." for i in range(100))
    reply = Reply((Msg("faq.answer", question="Làm sao?", answer=answer),), NEXT)

    await Renderer(application.translator, sender).show(Outcome((reply,)), "vi", Target(42))

    pieces = fake.delivered("sendMessage")
    assert len(pieces) == 2 and all(len(p.params["text"]) <= TEXT_LIMIT for p in pieces)
    assert "Dòng 99" in pieces[1].params["text"] and "reply_markup" not in pieces[0].params
    assert pieces[1].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "1|m"


async def test_a_question_that_cannot_be_edited_any_more_is_sent_anew(
        application: App, sender: Sender, fake: FakeTelegram) -> None:
    fake.fail("editMessageText", 400, not_editable("message to edit not found"))
    reply = Reply((Msg("menu.title"),), NEXT, replace=True)

    await Renderer(application.translator, sender).show(Outcome((reply,)), "vi", Target(42, pressed=7))

    assert [c.method for c in fake.calls] == ["editMessageText", "sendMessage"]
    edit, sent = fake.calls  # the same screen, buttons included, as a new message
    assert sent.params["chat_id"] == 42 and sent.params["text"] == edit.params["text"]
    assert sent.params["reply_markup"] == edit.params["reply_markup"]


async def test_an_edit_that_changes_nothing_is_not_sent_again(
        application: App, sender: Sender, fake: FakeTelegram) -> None:
    fake.fail("editMessageText", 400, not_editable("message is not modified: specified new message content and "
                                                   "reply markup are exactly the same"))
    reply = Reply((Msg("menu.title"),), NEXT, replace=True)

    await Renderer(application.translator, sender).show(Outcome((reply,)), "vi", Target(42, pressed=7))

    assert [c.method for c in fake.calls] == ["editMessageText"]
