"""The Bot API client the service uses (bot.channels.telegram.session), over HTTP against the fake Bot API:
what Telegram receives is what the bot meant to send, as one JSON body or, with a file, as a form."""
from __future__ import annotations

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.telegram.runner import make_bot

from .conftest import TOKEN
from .fake_server import FakeBotApiServer

QUESTION = "Câu 5/20 · ⏱ 29:12\n\nCổng Dịch vụ công quốc gia là gì?\n\nA. Một trang web\nB. Một ứng dụng"


async def test_a_question_with_its_keyboard_arrives_as_sent(bot_api: FakeBotApiServer) -> None:
    bot = make_bot(TOKEN, bot_api.base)
    keyboard = InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text="A", callback_data="1|a:7:4:0"),
         InlineKeyboardButton(text="B", callback_data="1|a:7:4:1")],
        [InlineKeyboardButton(text="📤 Nộp bài", callback_data="1|fin:7")]])
    try:
        sent = await bot.send_message(chat_id=42, text=QUESTION, reply_markup=keyboard)
        edited = await bot.edit_message_text(chat_id=42, message_id=sent.message_id, text="Đã nộp bài.")
        answered = await bot.answer_callback_query("q-1", text="Đã ghi nhận", show_alert=False)
    finally:
        await bot.session.close()
    first, edit, answer = bot_api.fake.delivered()
    assert first.method == "sendMessage" and first.params["chat_id"] == 42 and first.params["text"] == QUESTION
    assert first.params["reply_markup"] == {"inline_keyboard": [
        [{"text": "A", "callback_data": "1|a:7:4:0"}, {"text": "B", "callback_data": "1|a:7:4:1"}],
        [{"text": "📤 Nộp bài", "callback_data": "1|fin:7"}]]}
    assert sent.text == QUESTION and sent.reply_markup is not None \
        and sent.reply_markup.model_dump() == keyboard.model_dump()  # the answer read back into a Message
    assert edit.params == {"chat_id": 42, "message_id": sent.message_id, "text": "Đã nộp bài."}
    assert not isinstance(edited, bool) and edited.text == "Đã nộp bài."
    assert answer.params == {"callback_query_id": "q-1", "text": "Đã ghi nhận", "show_alert": False}
    assert answered is True


async def test_the_bots_defaults_are_applied_as_aiogram_applies_them(bot_api: FakeBotApiServer) -> None:
    bot = make_bot(TOKEN, bot_api.base)
    bot.default = DefaultBotProperties(parse_mode="HTML")
    try:
        await bot.send_message(chat_id=42, text="<b>Thể lệ</b>")
    finally:
        await bot.session.close()
    assert bot_api.fake.delivered("sendMessage")[0].params["parse_mode"] == "HTML"


async def test_a_chart_goes_as_a_file_with_its_caption(bot_api: FakeBotApiServer) -> None:
    chart = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    bot: Bot = make_bot(TOKEN, bot_api.base)
    try:
        await bot.send_photo(chat_id=-100500, photo=BufferedInputFile(chart, filename="baocao.png"),
                             caption="Báo cáo ngày 03/12/2026")
    finally:
        await bot.session.close()
    (call,) = bot_api.fake.delivered("sendPhoto")
    assert call.params["chat_id"] == -100500 and call.params["caption"] == "Báo cáo ngày 03/12/2026"
    assert list(bot_api.uploads.values()) == [chart]
