"""Telegram's side of a webhook's reply: the one Bot API method a reply may carry is carried out, as
Telegram does (the answer to a button press travels this way), against the fake Bot API."""
from __future__ import annotations

import aiohttp

from .fake_api import FakeTelegram


async def carry_out(response: aiohttp.ClientResponse, fake: FakeTelegram) -> str | None:
    """The method the reply carried (now done on `fake`), or None for a reply without one."""
    if response.status != 200 or response.content_type != "multipart/form-data":
        return None
    form: dict[str, str] = {}
    reader = aiohttp.MultipartReader.from_response(response)
    while (part := await reader.next()) is not None:
        assert isinstance(part, aiohttp.BodyPartReader) and part.name is not None
        form[part.name] = await part.text()
    method = form.pop("method")
    fake.answer(method, form)
    return method
