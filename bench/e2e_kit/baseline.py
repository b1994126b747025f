"""The bare baselines, in one process (bench/e2e.py starts as many as the service has workers, on one port):

- POST /telegram/webhook: an aiogram 3 echo bot on the same webhook handler the service mounts; a tap is
  answered (answerCallbackQuery) and its message edited into the next question (editMessageText), with
  no database and no pacing; /bxh gets a fixed board (sendMessage).
- POST /api/chat/send: a plain aiohttp endpoint with the web chat's cookie check (the service's own
  BrowserIds; or the Mini App's initData check) that answers in the web chat's reply shape, from the
  tapped button alone.

    python bench/e2e_kit/baseline.py PORT API_BASE BOT_TOKEN WEBHOOK_SECRET WEB_SECRET"""
from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.web.identity import COOKIE, BrowserIds
from bot.web.init_data import InitDataCheck, InitDataRefused

QUESTIONS = 20
BOARD = "🏆 Bảng xếp hạng\n" + "\n".join(f"{k}. Nguyễn V. An — Huyện — 20/20 — 03:1{k % 10}" for k in range(1, 11))


def question(attempt: int, position: int) -> tuple[str, list[list[tuple[str, str]]]]:
    """A question as the service shows one: its text, the options, and buttons (label, engine action)."""
    text = (f"Câu {position + 1}/{QUESTIONS} · ⏱ 29:59\n\nCâu hỏi đo tải số {position}: phương án nào đúng?\n\n"
            "A. Một\nB. Hai\nC. Ba\nD. Bốn")
    keys = [(letter, f"a:{attempt}:{position}:{i}") for i, letter in enumerate("ABCD")]
    return text, [keys, [("📤 Nộp bài", f"fin:{attempt}")]]


def after(action: str) -> tuple[str, list[list[tuple[str, str]]]]:
    """What follows a tap: the next question, or the result after the last one."""
    if action.startswith("a:"):
        _, attempt, position, _ = action.split(":")
        if int(position) + 1 < QUESTIONS:
            return question(int(attempt), int(position) + 1)
        return "Kết quả: 20/20 câu đúng, thời gian 03:15. Xếp hạng hiện tại: 1.", [[("📝 Thi ngay", "m:play")]]
    return question(1, 0)


def telegram_routes(app: web.Application, api: str, token: str, secret: str) -> None:
    bot = Bot(token=token, session=AiohttpSession(api=TelegramAPIServer.from_base(api)))
    router = Router()

    @router.callback_query()
    async def tap(query: CallbackQuery) -> None:
        await bot.answer_callback_query(callback_query_id=query.id)
        text, rows = after((query.data or "").partition("|")[2])
        markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=label, callback_data=f"1|{action}")
                                                        for label, action in row] for row in rows])
        assert query.message is not None
        await bot.edit_message_text(chat_id=query.message.chat.id, message_id=query.message.message_id, text=text,
                                    reply_markup=markup)

    @router.message()
    async def board(message: Message) -> None:
        await bot.send_message(chat_id=message.chat.id, text=BOARD)

    dp = Dispatcher()
    dp.include_router(router)
    SimpleRequestHandler(dispatcher=dp, bot=bot, handle_in_background=False, secret_token=secret).register(
        app, path="/telegram/webhook")


def web_routes(app: web.Application, secret: str, token: str) -> None:
    ids, mini_app = BrowserIds(secret), InitDataCheck(token, max_age_s=3600)

    def who(request: web.Request) -> str | None:
        """The same checks as the web chat's: a signed cookie, or the Mini App's initData."""
        header = request.headers.get("Authorization")
        if header is None:
            browser: str | None = ids.verify(request.cookies.get(COOKIE))
            return browser
        try:
            return str(mini_app.user(header.removeprefix("tma ")).id)
        except InitDataRefused:
            return None

    async def send(request: web.Request) -> web.Response:
        if who(request) is None:
            return web.json_response({"error": "no chat"}, status=401)
        body = await request.json()
        action = body.get("action") if isinstance(body, dict) else None
        now = datetime.now(UTC)
        if isinstance(action, str):
            text, rows = after(action)
            progress = {"position": int(action.split(":")[2]) + 2, "total": QUESTIONS,
                        "deadline": (now + timedelta(minutes=29)).isoformat(), "resume": "go:1"} \
                if action.startswith("a:") else None
        else:
            text, rows, progress = BOARD, [[("↩️ Về menu", "m")]], None
        reply = {"parts": [text], "buttons": [[{"label": label, "action": a} for label, a in row] for row in rows],
                 "replace": True, "request_contact": False, "progress": progress}
        return web.json_response({"locale": "vi", "title": "Đo tải", "now": now.isoformat(), "toast": None,
                                  "replies": [reply], "stale": False, "chosen": action, "history": []},
                                 headers={"Cache-Control": "no-store"})

    app.router.add_post("/api/chat/send", send)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def main(port: int, api: str, token: str, webhook_secret: str, web_secret: str) -> None:
    app = web.Application()
    app.router.add_get("/healthz", healthz)
    telegram_routes(app, api, token, webhook_secret)
    web_routes(app, web_secret, token)
    runner = web.AppRunner(app, access_log=None, handle_signals=True)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, reuse_port=True, backlog=1024).start()
    try:
        await asyncio.Event().wait()  # until SIGTERM ends the process
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), *sys.argv[2:6]))
