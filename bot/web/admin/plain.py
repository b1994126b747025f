"""What a dashboard request may carry in its query and form: text that can be stored and shown.
A NUL character or half of a surrogate pair is refused with a 400 page before any handler runs:
PostgreSQL refuses NUL in text and no page can render half a character."""
from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.web.admin.layout import error_page
from bot.web.admin.vi import T

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def storable(texts: Iterable[object]) -> bool:
    """Whether every text in `texts` holds no NUL and is valid Unicode (files in a form are not text)."""
    for text in texts:
        if not isinstance(text, str):
            continue
        if "\x00" in text:
            return False
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return False
    return True


@web.middleware
async def plain_text(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not storable([*request.query.keys(), *request.query.values(), request.path]):
        return error_page(request, 400, T["refused.unreadable"])
    if request.method == "POST" and request.content_type in FORMS:
        form = await request.post()  # kept by aiohttp: the handler reads the same form again
        if not storable([*form.keys(), *form.values()]):
            return error_page(request, 400, T["refused.unreadable"])
    return await handler(request)
