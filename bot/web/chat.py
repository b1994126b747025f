"""The web chat's JSON API: a request becomes an engine event, the outcome comes back rendered."""
from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from bot.failures import traceback_without_messages, unavailable
from bot.web.guests import as_guest, guest
from bot.web.history import ChatHistory
from bot.web.identity import COOKIE, MAX_AGE
from bot.web.keys import BROWSER_IDS, DISPATCHER, LIVE, NEW_CHATS, SETTINGS, TRANSLATOR
from bot.web.mini_app import telegram_caller
from bot.web.proxy import came_over_https, client_address
from bot.web.render import render_outcome
from bot.web.requests import BadInput, json_object, json_reply
from quiz.conversation.actions import BadAction, Data, DataItem, decode, encode
from quiz.conversation.engine import MAX_TEXT, Who
from quiz.conversation.messages import Event, Press, Start, Text, event_kind
from quiz.conversation.phones import WEB
from quiz.model import LOCALES, pick

log = logging.getLogger(__name__)
CHANNEL = WEB
MAX_ACTION = 64
MAX_PAYLOAD = 64
RETRY_AFTER_S = 5  # a database or Redis out of reach: the page says "try again in a moment"


def setup(app: web.Application) -> None:
    app.router.add_post("/api/chat/start", start)
    app.router.add_post("/api/chat/send", send)


async def start(request: web.Request) -> web.Response:
    """Open (or reopen) the chat; {"payload": CODE} carries a unit or referral code like a deep link.
    The answer carries the browser's recent conversation ("history") to draw above it."""
    try:
        body = await json_object(request)
        payload = _string(body, "payload", MAX_PAYLOAD)
    except BadInput as bad:
        return bad.response()
    return await _exchange(request, Start(payload or None))


async def send(request: web.Request) -> web.Response:
    """{"text": "..."} is typed text; {"action": "..."} is a button press."""
    try:
        return await _exchange(request, _event(await json_object(request)))
    except BadInput as bad:
        return bad.response()


def _event(body: dict[str, Any]) -> Event:
    text, action = _string(body, "text", MAX_TEXT), _string(body, "action", MAX_ACTION)
    if (text is None) == (action is None):
        raise BadInput(400, 'send exactly one of "text" or "action"')
    if action is not None:
        try:
            return Press(decode(action))
        except BadAction:
            raise BadInput(400, '"action" is not one of the chat\'s buttons') from None
    return Text(str(text))


def _string(body: dict[str, Any], key: str, limit: int) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput(400, f'"{key}" must be a string')
    if len(value) > limit:
        raise BadInput(400, f'"{key}" is longer than {limit} characters')
    return value


async def _exchange(request: web.Request, event: Event) -> web.Response:
    settings, dispatcher, ids = request.app[SETTINGS], request.app[DISPATCHER], request.app[BROWSER_IDS]
    try:
        telegram = telegram_caller(request)  # the Telegram Mini App: the citizen's Telegram account
    except BadInput as bad:
        return bad.response()
    browser_id = ids.verify(request.cookies.get(COOKIE)) if telegram is None else None
    new_cookie: str | None = None
    language = preferred_language(request.headers.get("Accept-Language"))
    contest = request.app[LIVE].runtime.contest
    history = ChatHistory(dispatcher.states)
    earlier = None
    try:
        if telegram is not None:  # no cookie, no kept history: Telegram's chat is where its history lives
            handled = await dispatcher.handle(telegram, event)
        elif browser_id is None and not await request.app[NEW_CHATS].allow(
                address := client_address(request, settings.web_trust_forwarded)):
            # Too many new chats from this address: reading still works, registering waits (bot.web.guests).
            handled = await as_guest(dispatcher, guest(CHANNEL, address, language), event, title=contest.title,
                                     minutes=max(1, settings.web_new_chats_window_s // 60))
        else:
            if browser_id is None:
                browser_id, new_cookie = ids.issue()
            earlier = await history.load(browser_id) if isinstance(event, Start) else None
            handled = await dispatcher.handle(Who(CHANNEL, browser_id, language,
                                                  client_address(request, settings.web_trust_forwarded)), event)
    except Exception as exc:  # logged here, without the message: it may quote what the citizen typed
        log.error("web chat: %s failed\n%s", event_kind(event), traceback_without_messages(exc))
        if unavailable(exc):  # nothing was stored that the citizen was told of; the page asks to try again
            return json_reply({"error": "the service is briefly unavailable; please try again in a moment"},
                              status=503, headers={"Retry-After": str(RETRY_AFTER_S)})
        return json_reply({"error": "something went wrong; please try again"}, status=500)
    body = render_outcome(handled, request.app[TRANSLATOR], title=pick(contest.title, handled.locale),
                          now=dispatcher.clock())
    if browser_id is not None:
        body["history"] = earlier or []
        await _remember(history, browser_id, event, body)
    elif telegram is None:
        body["guest"] = True
    response = json_reply(body, headers={"Cache-Control": "no-store"})
    if new_cookie is not None:
        response.set_cookie(COOKIE, new_cookie, max_age=MAX_AGE, path="/", httponly=True,
                            samesite="Lax", secure=came_over_https(request, settings.web_trust_forwarded))
    return response


async def _remember(history: ChatHistory, browser_id: str, event: Event, body: dict[str, Any]) -> None:
    """Keep what this browser was shown, for its next reload; erasing one's data erases it too."""
    if isinstance(event, Press) and event.action == Data(DataItem.ERASE_CONFIRMED):
        await history.clear(browser_id)
    await history.record(browser_id, typed=event.text if isinstance(event, Text) else None,
                         pressed=encode(event.action) if isinstance(event, Press) else None,
                         replies=body["replies"])


def preferred_language(header: str | None) -> str | None:
    """The first language in Accept-Language (by q) that the catalogs have; None leaves Vietnamese."""
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate((header or "")[:512].split(",")):
        tag, _, params = item.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        if q <= 0:
            continue
        ranked.append((-q, index, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag.split("-")[0] in LOCALES:
            return tag.split("-")[0]
    return None
