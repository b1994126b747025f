"""The Telegram and Zalo webhooks against anything that can reach them: never a 5xx; a refused call
records nothing; a malformed call that carries the right secret is answered so Telegram stops retrying."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.zalo.signature import HEADER, sign

from .conftest import Site, changed, stored

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TELEGRAM_HEADER = "X-Telegram-Bot-Api-Secret-Token"
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=10)
# Update-shaped bodies: the keys Telegram sends, with any values.
updates = st.fixed_dictionaries({}, optional={
    "update_id": json_values | st.integers(), "message": json_values | st.fixed_dictionaries(
        {}, optional={"message_id": json_values, "date": json_values, "text": json_values, "chat": json_values,
                      "from": json_values}),
    "callback_query": json_values})
DEEP = b'{"update_id": 5, "message": ' + b"[" * 5000 + b"]" * 5000 + b"}"


async def _telegram(hooked: Site, body: bytes, *, secret: str | None = None) -> int:
    headers = {"Content-Type": "application/json", TELEGRAM_HEADER: secret or hooked.telegram_secret}
    async with hooked.client.post("/telegram/webhook", data=body, headers=headers) as response:
        return response.status


async def _zalo(hooked: Site, body: bytes, *, signed: bool = True) -> int:
    headers = {"Content-Type": "application/json"}
    if signed:
        try:
            stamp = str(json.loads(body).get("timestamp"))
        except (ValueError, AttributeError, RecursionError):
            stamp = ""
        headers[HEADER] = sign(app_id=hooked.zalo_app_id, body=body, timestamp=stamp, secret=hooked.zalo_secret)
    async with hooked.client.post("/zalo/webhook", data=body, headers=headers) as response:
        status = response.status
    assert hooked.zalo is not None
    await hooked.zalo.drain()
    return status


@FUZZ
@given(body=updates | json_values)
async def test_telegram_bodies_with_the_right_secret_never_get_a_server_error(hooked: Site, body: Any) -> None:
    status = await _telegram(hooked, json.dumps(body).encode())
    assert status < 500, body


@FUZZ
@given(body=st.binary(max_size=300))
async def test_telegram_bytes_with_the_right_secret_are_refused_cleanly(hooked: Site, body: bytes) -> None:
    before = await stored(hooked.app)
    assert await _telegram(hooked, body) < 500
    assert changed(before, await stored(hooked.app)) == []


async def test_a_malformed_update_with_the_right_secret_is_answered_so_telegram_stops_retrying(hooked: Site) -> None:
    before = await stored(hooked.app)
    for body in (b"not json", b"[1, 2]", b'{"update_id": "x"}', b'{"message": {"text": 5}}', DEEP,
                 b'{"update_id": 9223372036854775808, "message": {}}'):
        status = await _telegram(hooked, body)
        assert status == 200 or 400 <= status < 500, (body[:60], status)
    assert changed(before, await stored(hooked.app)) == []
    assert await _telegram(hooked, b"{}", secret="wrong") == 401


@FUZZ
@given(body=json_values, signed=st.booleans())
async def test_zalo_bodies_never_get_a_server_error(hooked: Site, body: Any, signed: bool) -> None:
    status = await _zalo(hooked, json.dumps(body).encode(), signed=signed)
    assert status < 500, body


async def test_deeply_nested_json_to_zalo_is_refused_before_and_after_the_signature(hooked: Site) -> None:
    before = await stored(hooked.app)
    deep = b'{"timestamp": "1", "event_name": ' + b"[" * 20000 + b"]" * 20000 + b"}"
    assert await _zalo(hooked, deep, signed=False) == 401
    assert await _zalo(hooked, deep, signed=True) in (400, 401)
    assert changed(before, await stored(hooked.app)) == []


def _follow(hooked: Site, at_ms: int) -> bytes:
    return json.dumps({"app_id": hooked.zalo_app_id, "event_name": "follow", "timestamp": str(at_ms),
                       "oa_id": "1", "follower": {"id": "2468458835296117922"}}).encode()


async def test_a_signed_zalo_event_older_than_the_configured_age_is_refused(hooked: Site) -> None:
    now_ms = int(hooked.app.clock().timestamp() * 1000)
    max_age = timedelta(seconds=hooked.app.settings.zalo_event_max_age_s)
    before = await stored(hooked.app)
    stale = now_ms - int(max_age.total_seconds() * 1000) - 60_000
    for at in (stale, 0, now_ms + 7 * 24 * 3600 * 1000):
        assert await _zalo(hooked, _follow(hooked, at)) == 400
    assert changed(before, await stored(hooked.app)) == [], "a stale event is not recorded"
    assert await _zalo(hooked, _follow(hooked, now_ms - 60_000)) == 200, "a minute-old event is taken"
