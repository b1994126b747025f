"""Webhook mode: Telegram posts updates to our web app; each is stored before the 200 goes back, which
answers a button press in its body when handling ends in time (bot.channels.telegram.handover); the other
replies go out after (bot.channels.telegram.outbox)."""
from __future__ import annotations

import re

from aiogram import Bot, Dispatcher
from aiogram.methods import SetWebhook
from aiohttp import web

from bot.channels.telegram.handover import Handover
from bot.channels.telegram.intake import WebhookHandler
from bot.channels.telegram.intake_process import WEBHOOK_PATH as WEBHOOK_PATH  # defined where aiogram is not imported
from bot.channels.telegram.lanes import Lanes
from bot.channels.telegram.once import Claims
from bot.channels.telegram.sender import Sender

_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token


class TelegramConfigError(ValueError):
    """Telegram settings that cannot work; the message says which variable to fix."""


def check_secret(secret: str | None) -> str:
    if not secret:
        raise TelegramConfigError("TELEGRAM_WEBHOOK_URL is set but TELEGRAM_WEBHOOK_SECRET is not: a webhook without "
                                  "a secret would accept forged updates; set 1-256 characters of A-Z a-z 0-9 _ -")
    if not _SECRET.match(secret):
        raise TelegramConfigError("TELEGRAM_WEBHOOK_SECRET may only hold 1-256 characters of A-Z a-z 0-9 _ -")
    return secret


def public_url(configured: str) -> str:
    """TELEGRAM_WEBHOOK_URL as given when it ends in the webhook path, else the site's base plus that path."""
    base = configured.rstrip("/")
    return base if base.endswith(WEBHOOK_PATH) else base + WEBHOOK_PATH


def mount(web_app: web.Application, dp: Dispatcher, bot: Bot, *, secret: str, claims: Claims, lanes: Lanes,
          handover: Handover, ack_within: float) -> None:
    """POST /telegram/webhook: wrong or missing X-Telegram-Bot-Api-Secret-Token → 401. `ack_within`: seconds
    a call waits for its update's handling to answer the press in the 200 (it is stored before)."""
    if web_app.frozen:
        raise TelegramConfigError("start Telegram before the web app starts serving: its routes are frozen")
    # handle_in_background=False: aiogram's own background mode would acknowledge before storing the update.
    handler = WebhookHandler(dispatcher=dp, bot=bot, handle_in_background=False, secret_token=secret,
                             claims=claims, lanes=lanes, handover=handover, within=ack_within)
    handler.register(web_app, path=WEBHOOK_PATH)


async def set_webhook(sender: Sender, url: str, *, secret: str, allowed_updates: list[str],
                      max_connections: int | None = None) -> None:
    """`max_connections`: how many updates Telegram sends at once (its default is 40); those beyond the
    database pool wait for a connection rather than open one each (bot.storage.engine)."""
    await sender.call(SetWebhook(url=url, secret_token=secret, allowed_updates=allowed_updates,
                                 max_connections=max_connections), paced=False)
