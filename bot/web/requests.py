"""Reading a small JSON body safely: size, type and shape checked, a clear 4xx for anything else."""
from __future__ import annotations

import json
from typing import Any, NoReturn

from aiohttp import web

MAX_BODY = 4096  # bytes; a chat message of 1000 Vietnamese characters fits


def fail(status: int, message: str) -> NoReturn:
    """Stop with a JSON error the page (or a developer with curl) can read."""
    raise web.HTTPException(text=json.dumps({"error": message}), content_type="application/json") \
        if status == 0 else _ERRORS[status](text=json.dumps({"error": message}), content_type="application/json")


_ERRORS: dict[int, type[web.HTTPException]] = {
    400: web.HTTPBadRequest,
    413: web.HTTPRequestEntityTooLarge,
    415: web.HTTPUnsupportedMediaType,
}


async def json_object(request: web.Request, *, limit: int = MAX_BODY) -> dict[str, Any]:
    """The body as a JSON object; an empty body is {}."""
    if request.content_length is not None and request.content_length > limit:
        fail(413, f"request body is larger than {limit} bytes")
    raw = bytearray()
    while len(raw) <= limit:  # read at most limit + 1 bytes, even from a chunked body
        chunk = await request.content.read(limit + 1 - len(raw))
        if not chunk:
            break
        raw += chunk
    if len(raw) > limit:
        fail(413, f"request body is larger than {limit} bytes")
    if not raw.strip():
        return {}
    if request.content_type != "application/json":
        fail(415, "send the body as application/json")
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        fail(400, "the body is not UTF-8")
    except ValueError as exc:
        fail(400, f"the body is not valid JSON: {exc}")
    if not isinstance(body, dict):
        fail(400, "the body must be a JSON object")
    return body
