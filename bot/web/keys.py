"""Typed keys of what the web Application carries, for every module that adds routes to it."""
from __future__ import annotations

from aiohttp import web

from bot.compose import App
from bot.web.identity import BrowserIds
from bot.web.limits import NewChatLimiter

APP = web.AppKey("application", App)
BROWSER_IDS = web.AppKey("browser_ids", BrowserIds)
NEW_CHATS = web.AppKey("new_chats", NewChatLimiter)
