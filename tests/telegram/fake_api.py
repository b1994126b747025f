"""A pretend Bot API: remembers every call and answers like Telegram, for handler and end-to-end tests."""
from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

BOT_ID = 123456
BOT_USERNAME = "cds_test_bot"
TRUE_METHODS = {"answerCallbackQuery", "setMyCommands", "deleteWebhook", "setWebhook", "deleteMessage",
                "setMyDescription", "setChatMenuButton"}


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]  # form fields decoded: numbers and JSON objects as Python values
    status: int
    result: Any
    at: float  # when the call arrived, on the fake's clock


async def fields(request: web.Request, uploads: dict[str, bytes] | None = None) -> dict[str, str]:
    """A call's parameters as form fields, however the client sent them: as a form (aiogram's own session,
    files as multipart parts, kept in `uploads` by field name), or as a JSON body (the service's session:
    objects and numbers JSON-encoded into their field, as aiogram's form has them)."""
    if request.content_type == "application/json":
        body = await request.json()
        return {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for k, v in body.items()}
    form: dict[str, str] = {}
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            if uploads is not None:
                uploads[key] = value.file.read()
            form[key] = value.filename
        else:
            form[key] = str(value)
    return form


def decode_form(form: dict[str, str]) -> dict[str, Any]:
    """Form fields as aiogram sends them (JSON for objects, text for the rest) back into Python values."""
    params: dict[str, Any] = {}
    for key, raw in form.items():
        try:
            params[key] = json.loads(raw) if key != "text" else raw
        except ValueError:
            params[key] = raw
    return params


def chat(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": "An"} if chat_id > 0 else \
        {"id": chat_id, "type": "supergroup", "title": "Nhóm thi"}


class FakeTelegram:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.calls: list[Call] = []
        self.failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}  # method → scripted error answers
        self._message_ids = itertools.count(5000)

    def fail(self, method: str, status: int, payload: dict[str, Any]) -> None:
        """The next `method` call gets this error answer."""
        self.failures.setdefault(method, []).append((status, payload))

    def answer(self, method: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """HTTP status and JSON body for one call (getUpdates is served by the HTTP fake itself)."""
        params = decode_form(form)
        if self.failures.get(method):
            status, payload = self.failures[method].pop(0)
            self.calls.append(Call(method, params, status, None, self.clock()))
            return status, payload
        result = self._result(method, params)
        if result is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        self.calls.append(Call(method, params, 200, result, self.clock()))
        return 200, {"ok": True, "result": result}

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "Công Dân Số", "username": BOT_USERNAME}
        if method in TRUE_METHODS:
            return True
        if method == "sendPhoto":
            return {"message_id": next(self._message_ids), "date": int(time.time()),
                    "chat": chat(int(params["chat_id"])), "caption": params.get("caption"),
                    "photo": [{"file_id": "photo-1", "file_unique_id": "p1", "width": 800, "height": 600}]}
        if method in ("sendMessage", "editMessageText"):
            message_id = next(self._message_ids) if method == "sendMessage" else int(params["message_id"])
            message = {"message_id": message_id, "date": int(time.time()), "chat": chat(int(params["chat_id"])),
                       "from": {"id": BOT_ID, "is_bot": True, "first_name": "Công Dân Số"}, "text": params["text"]}
            markup = params.get("reply_markup")
            if isinstance(markup, dict) and "inline_keyboard" in markup:
                message["reply_markup"] = markup
            return message
        if method == "editMessageReplyMarkup":  # Telegram answers with the message edited
            message = {"message_id": int(params["message_id"]), "date": int(time.time()),
                       "chat": chat(int(params["chat_id"])), "text": "…",
                       "from": {"id": BOT_ID, "is_bot": True, "first_name": "Công Dân Số"}}
            markup = params.get("reply_markup")
            if isinstance(markup, dict) and "inline_keyboard" in markup:
                message["reply_markup"] = markup
            return message
        return None

    def delivered(self, method: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.status == 200 and (method is None or c.method == method)]
