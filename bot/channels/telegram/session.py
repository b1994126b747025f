"""The Bot API client: aiogram's aiohttp session, with each call sent as one JSON body.

aiogram sends a call as a URL-encoded form, every object in it (a keyboard, entities) JSON-encoded into a
field and then percent-encoded, so a Vietnamese question travels at about nine bytes a letter and costs
about twice the CPU of writing the same call as JSON (measured: 220 against 117 µs for a question with its
keyboard). The Bot API reads `application/json` for every method that uploads no file; a call that uploads
one still goes as aiogram's multipart form.

The calls that carry a citizen's replies (REPLIES: a question sent or edited in place, a press answered, a
note deleted) take a shorter way, a sixth of the CPU (bench/replies.py; py-spy on a webhook worker at
saturation: writing and reading them was 9% of it): their parameters are dumped by pydantic's JSON mode, with the
bot's defaults put in after, instead of aiogram's walk over every value; and the answer to one whose result
the service never reads (UNREAD: an edit, a press answered, a message deleted) is checked for `ok` only,
not parsed into a Message: it returns True, as the Bot API itself does for an edit of an inline message.
Every error answer still goes through aiogram's check, so its exceptions are the same."""
from __future__ import annotations

from http import HTTPStatus
from typing import Any, cast

import orjson
from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiohttp import ClientError, ClientTimeout
from pydantic_core import PydanticSerializationError

JSON = {"Content-Type": "application/json"}
UNREAD = frozenset(m.__api_method__ for m in (AnswerCallbackQuery, DeleteMessage, EditMessageReplyMarkup,
                                              EditMessageText))  # each returns True or a Message no one reads
REPLIES = UNREAD | {SendMessage.__api_method__}  # no file and no date among their fields: JSON as they are


def own_params(method: TelegramMethod[Any]) -> tuple[dict[str, Any], dict[str, Default]]:
    """The parameters set on the call itself, as JSON (None left out), and those left to the bot's defaults.
    PydanticSerializationError when a default is left inside one of them (a link preview's options)."""
    defaults = {name: value for name, value in method if isinstance(value, Default)}
    return method.model_dump(mode="json", exclude_none=True, exclude=set(defaults)), defaults


def _carried(value: Any) -> bool:
    """Whether aiogram's form would carry a parameter: None and "" are left out."""
    return value is not None and value != ""


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


class JsonSession(AiohttpSession):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(json_loads=orjson.loads, json_dumps=_dumps, **kwargs)

    def json_body(self, bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
        """The call's parameters as one JSON object, as aiogram would have put them in its form (its
        defaults applied, None left out); None when the call uploads a file."""
        files: dict[str, Any] = {}
        if method.__api_method__ in REPLIES:
            try:
                own, defaults = own_params(method)
            except PydanticSerializationError:  # aiogram's walk below puts the bot's defaults in
                pass
            else:
                params = {key: value for key, value in own.items() if _carried(value)}
                for name, default in defaults.items():
                    prepared = self.prepare_value(default, bot=bot, files=files, _dumps_json=False)
                    if _carried(prepared):
                        params[name] = prepared
                return orjson.dumps(params)
        return self.walked_body(bot, method)

    def walked_body(self, bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
        """json_body the long way: aiogram's walk over every value (`prepare_value`), as its form does."""
        files: dict[str, Any] = {}
        params = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if _carried(prepared):
                params[key] = prepared
        return None if files else orjson.dumps(params)

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType],
                           timeout: int | None = None) -> TelegramType:
        body = self.json_body(bot, method)
        if body is None:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            wait = ClientTimeout(total=self.timeout if timeout is None else timeout)
            async with session.post(url, data=body, headers=JSON, timeout=wait) as resp:
                raw = await resp.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        if method.__api_method__ in UNREAD and HTTPStatus.OK <= resp.status <= HTTPStatus.IM_USED and succeeded(raw):
            return cast(TelegramType, True)
        response = self.check_response(bot=bot, method=method, status_code=resp.status, content=raw)
        return cast(TelegramType, response.result)


def succeeded(raw: str) -> bool:
    """Whether the Bot API's answer says the call succeeded; False for anything else, which aiogram checks."""
    try:
        answer = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False
    return isinstance(answer, dict) and answer.get("ok") is True
