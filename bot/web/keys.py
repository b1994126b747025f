"""Typed keys of what the web Application carries: one per use case a page or route calls."""
from __future__ import annotations

from datetime import datetime
from typing import Protocol

from aiohttp import web

from bot.broadcasts.runner import Broadcaster
from bot.config import Settings
from bot.dispatch import Dispatcher
from bot.i18n import Translator
from bot.ops import Operations
from bot.web.identity import BrowserIds
from bot.web.init_data import InitDataCheck
from bot.web.limits import NewChatLimiter
from quiz.services import (
    AuditTrail,
    Broadcasts,
    Figures,
    Imports,
    Integrity,
    LiveContest,
    RoundAdmin,
    StaffAccounts,
    Standings,
)


class Clock(Protocol):
    def __call__(self) -> datetime: ...


SETTINGS = web.AppKey("settings", Settings)
CLOCK = web.AppKey("clock", Clock)
TRANSLATOR = web.AppKey("translator", Translator)
DISPATCHER = web.AppKey("dispatcher", Dispatcher)  # the web chat's way into the conversation engine
BROWSER_IDS = web.AppKey("browser_ids", BrowserIds)
NEW_CHATS = web.AppKey("new_chats", NewChatLimiter)
MINI_APP = web.AppKey("mini_app", InitDataCheck)  # set when a Telegram bot runs: the Mini App signs in
LIVE = web.AppKey("live", LiveContest)
STANDINGS = web.AppKey("standings", Standings)
FIGURES = web.AppKey("figures", Figures)
ROUNDS = web.AppKey("rounds", RoundAdmin)
IMPORTS = web.AppKey("imports", Imports)
INTEGRITY = web.AppKey("integrity", Integrity)
BROADCASTS = web.AppKey("broadcasts", Broadcasts)
BROADCASTER = web.AppKey("broadcaster", Broadcaster)
STAFF = web.AppKey("staff", StaffAccounts)
AUDIT = web.AppKey("audit", AuditTrail)
OPERATIONS = web.AppKey("operations", Operations)  # /readyz and /metrics
