"""The Telegram Mini App: the web chat's page opened inside Telegram by "📝 Thi ngay", acting as the
citizen's Telegram account.

Each request of the page carries the initData Telegram gave it (`Authorization: tma <initData>`); the
server checks it (bot.web.init_data) and speaks for the account the Telegram chat uses, so the Mini App
and the chat share one participant, one quota and the same open attempt. Answers go over the web chat's
JSON API: no Bot API message per answer, and the countdown ticks on the page."""
from __future__ import annotations

from aiohttp import web

from bot.web.init_data import InitDataRefused
from bot.web.keys import MINI_APP
from bot.web.requests import BadInput
from quiz.conversation.engine import Who

CHANNEL = "telegram"  # the Telegram chat's accounts: (channel "telegram", the user's id)
SCHEME = "tma "
# As the web chat's page, except that Telegram Web shows a Mini App in a frame of web.telegram.org.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors https://web.telegram.org",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
    "Content-Type": "text/html; charset=utf-8",
}


def telegram_caller(request: web.Request) -> Who | None:
    """The Telegram account a Mini App request speaks for; None for a browser of the web chat (no
    Authorization header); BadInput 401 for initData that is not genuine, not fresh, or not for this bot."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    check = request.app.get(MINI_APP)
    if check is None:
        raise BadInput(401, "this service runs no Telegram bot, so no Telegram Mini App can sign in")
    if not header.startswith(SCHEME):
        raise BadInput(401, 'send "Authorization: tma <initData>" from the Telegram Mini App')
    try:
        user = check.user(header[len(SCHEME):])
    except InitDataRefused as refused:
        raise BadInput(401, f"Telegram's sign-in was refused ({refused.reason}): open the Mini App again "
                            "from the chat") from None
    return Who(CHANNEL, str(user.id), user.language_code, page=True)
