"""The webhook's request handler: aiogram's, with the body read as bad input can be.

aiogram parses the body and validates the Update inside the request; a body that is not JSON, is
nested without end, or is no Update raises there and becomes a 500, which Telegram retries for ever.
Here a body that is not JSON at all is a 400; JSON that is not an Update we can handle (ids beyond
64 bits included) is logged and acknowledged with 200, since sending it again would never help.
A good update is stored first (claimed by this worker, with its body), then handled in its chat's lane
(bot.channels.telegram.handover): the 200 carries the answer to a button press when handling ends within
TELEGRAM_ACK_WITHIN_S, else it goes back at once and the lane answers the press. A failure within that
time still propagates, so Telegram sends the update again; after it, the sweep tries again. An update
another worker holds (Telegram sent it again) is waited for as before (bot.channels.telegram.once)."""
from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from pydantic import ValidationError

from bot.channels.telegram.handover import LATER, Handover
from bot.channels.telegram.lanes import Lanes
from bot.channels.telegram.once import BODY, Claims
from bot.json_input import NotJson, ids_fit, loads

log = logging.getLogger(__name__)


def update_of(raw: bytes, bot: Bot) -> tuple[Update, dict[str, Any]] | None:
    """The Update in `raw`, and the JSON it was read from; None for JSON that is not one. NotJson for a
    body that is not JSON."""
    data = loads(raw)
    if not isinstance(data, dict) or not ids_fit(data):
        return None
    try:
        update = Update.model_validate(data, context={"bot": bot})
        update.event_type  # noqa: B018 - raises for an update that carries no event aiogram knows
    except (ValidationError, UpdateTypeLookupError):
        return None
    return update, data


class WebhookHandler(SimpleRequestHandler):
    def __init__(self, *, claims: Claims, lanes: Lanes, handover: Handover, within: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.claims, self.lanes, self.handover, self.within = claims, lanes, handover, within

    async def close(self) -> None:
        """Nothing. aiogram closes the bot's HTTP session when the web app shuts down, but the lanes and the
        outbox still send the replies to updates acknowledged just before: a reply cut off that way had
        reached Telegram and was sent again, so the citizen read it twice. TelegramHandle.stop closes the
        session after them."""

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        try:
            read = update_of(await request.read(), bot)
        except NotJson as exc:
            log.warning("telegram: webhook body refused: %s", exc)
            return web.json_response({"error": "the body is not JSON"}, status=400)
        if read is None:
            log.warning("telegram: webhook body is not an update this bot reads; acknowledged and dropped")
            return web.json_response({})
        update, body = read  # the body is stored as received (bot.channels.telegram.once), not dumped again
        await self.lanes.until_room()  # so many updates in hand that Telegram should keep the rest for now
        if await self.claims.take([update], bodies={update.update_id: body}):
            result: Any = await self.handover.wait(update, self.lanes, within=self.within)
            if result is LATER:
                return web.json_response({})  # stored: the lane finishes it and answers the press
        else:  # sent again: finished already, or in another worker's hand (waited for there)
            result = await self.dispatcher.feed_webhook_update(bot, update, **{**self.data, BODY: body})
        answer: TelegramMethod[Any] | None = result if isinstance(result, TelegramMethod) else None
        return web.Response(body=self._build_response_writer(bot=bot, result=answer))
