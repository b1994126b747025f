"""The Bot API client the service uses (bot.channels.telegram.session), over HTTP against the fake Bot API:
what Telegram receives is what the bot meant to send, as one JSON body or, with a file, as a form."""
from __future__ import annotations

from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    WebAppInfo,
)

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
    assert edited is True  # an edit's Message is never read: only whether it succeeded
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


KEYBOARD = InlineKeyboardMarkup(inline_keyboard=[
    [InlineKeyboardButton(text="A", callback_data="1|a:7:4:0"),
     InlineKeyboardButton(text="B", callback_data="1|a:7:4:1")],
    [InlineKeyboardButton(text="📝 Thi ngay", web_app=WebAppInfo(url="https://thi.example.vn/app"))],
    [InlineKeyboardButton(text="Cổng DVC", url="https://dichvucong.gov.vn")]])
REPLIES: list[TelegramMethod[Any]] = [
    SendMessage(chat_id=42, text=QUESTION, reply_markup=KEYBOARD),
    SendMessage(chat_id=-100500, text="Nhóm", reply_markup=ReplyKeyboardRemove()),
    SendMessage(chat_id=42, text="Số điện thoại", reply_markup=ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="📱 Gửi số", request_contact=True)]], resize_keyboard=True,
        one_time_keyboard=True)),
    SendMessage(chat_id=42, text="Xem", link_preview_options=LinkPreviewOptions(url="https://a.vn")),
    SendMessage(chat_id=42, text="<b>Thể lệ</b>", parse_mode=None, disable_notification=True),
    EditMessageText(chat_id=42, message_id=7, text=QUESTION, reply_markup=KEYBOARD),
    EditMessageText(chat_id=42, message_id=7, text="Hết giờ"),
    EditMessageReplyMarkup(chat_id=42, message_id=7, reply_markup=None),
    DeleteMessage(chat_id=42, message_id=7),
    AnswerCallbackQuery(callback_query_id="q-1", text=None),
    AnswerCallbackQuery(callback_query_id="q-2", text=""),
    AnswerCallbackQuery(callback_query_id="q-3", text="Đã ghi nhận câu 5", show_alert=True, cache_time=0),
]


@pytest.mark.parametrize("parse_mode", [None, "HTML"])
async def test_replies_reach_telegram_as_aiogram_itself_would_send_them(
        bot_api: FakeBotApiServer, parse_mode: str | None) -> None:
    """The replies' short way (their parameters dumped in pydantic's JSON mode) delivers what aiogram's own
    form delivers: the same parameters, the bot's defaults put in, nothing empty."""
    defaults = DefaultBotProperties(parse_mode=parse_mode, link_preview_is_disabled=True)
    ours = make_bot(TOKEN, bot_api.base)
    theirs = Bot(token=TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(bot_api.base)))
    ours.default = theirs.default = defaults
    try:
        for method in REPLIES:
            await theirs(method)
            await ours(method)
    finally:
        await ours.session.close()
        await theirs.session.close()
    calls = bot_api.fake.calls
    assert len(calls) == 2 * len(REPLIES) and all(c.status == 200 for c in calls)
    for expected, sent in zip(calls[::2], calls[1::2], strict=True):
        assert (sent.method, sent.params) == (expected.method, expected.params)


async def test_an_edit_telegram_refuses_raises_as_aiogram_would(bot_api: FakeBotApiServer) -> None:
    bot = make_bot(TOKEN, bot_api.base)
    bot_api.fake.fail("editMessageText", 400, {"ok": False, "error_code": 400,
                                               "description": "Bad Request: message is not modified"})
    bot_api.fake.fail("editMessageText", 429, {"ok": False, "error_code": 429, "parameters": {"retry_after": 3},
                                               "description": "Too Many Requests: retry after 3"})
    edit = EditMessageText(chat_id=42, message_id=7, text="Câu 6")
    try:
        with pytest.raises(TelegramBadRequest, match="message is not modified"):
            await bot(edit)
        with pytest.raises(TelegramRetryAfter) as held:
            await bot(edit)
        assert await bot(edit) is True
    finally:
        await bot.session.close()
    assert held.value.retry_after == 3
    assert [c.status for c in bot_api.fake.calls] == [400, 429, 200]
