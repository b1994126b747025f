"""The web chat's JSON API against anything a script can send: never a 5xx, and a refused request
changes nothing stored."""
from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.web.identity import COOKIE

from .conftest import Site, changed, stored

ROUTES = ("/api/chat/start", "/api/chat/send")
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
# Bodies the page would send, with the values changed into anything JSON can hold.
shaped = st.fixed_dictionaries({}, optional={"text": json_values, "action": json_values, "payload": json_values})
actions = st.sampled_from(["a:", "a:1:0:", "a:9223372036854775808:0:0", "a:99999999999999999999:1:1", "fin!²",
                           "rv:9223372036854775807:999", "go:-1", "l:xx", "d:nothing", "uf:1000", "ps:٣"])


async def _post(site: Site, path: str, body: bytes, *, content_type: str = "application/json",
                cookie: str | None = None) -> tuple[int, str]:
    headers = {"Content-Type": content_type}
    if cookie is not None:
        headers["Cookie"] = f"{COOKIE}={cookie}"
    async with site.client.post(path, data=body, headers=headers) as response:
        return response.status, await response.text()


async def _no_5xx_and_refusals_change_nothing(site: Site, path: str, body: bytes, **kw: Any) -> int:
    before = await stored(site.app)
    status, text = await _post(site, path, body, **kw)
    assert status < 500, (path, body[:200], text)
    if status >= 400:
        assert changed(before, await stored(site.app)) == [], (path, body[:200])
    return status


@FUZZ
@given(route=st.sampled_from(ROUTES), body=shaped)
async def test_any_json_shape_gets_an_answer_never_a_server_error(site: Site, route: str, body: dict[str, Any]) -> None:
    await _no_5xx_and_refusals_change_nothing(site, route, json.dumps(body).encode())


@FUZZ
@given(route=st.sampled_from(ROUTES), body=st.binary(max_size=300),
       content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", ""]))
async def test_any_bytes_get_an_answer_never_a_server_error(site: Site, route: str, body: bytes,
                                                            content_type: str) -> None:
    await _no_5xx_and_refusals_change_nothing(site, route, body, content_type=content_type)


@FUZZ
@given(action=actions | st.text(max_size=64))
async def test_forged_buttons_are_refused_or_answered_politely(site: Site, action: str) -> None:
    await _no_5xx_and_refusals_change_nothing(site, "/api/chat/send", json.dumps({"action": action}).encode())


async def test_deeply_nested_json_is_refused_with_a_4xx(site: Site) -> None:
    for route in ROUTES:
        for deep in (b"[" * 2000 + b"]" * 2000, b'{"a":' * 600 + b'"x"' + b"}" * 600, b"[" * 4000):
            assert await _no_5xx_and_refusals_change_nothing(site, route, deep) == 400


async def test_a_lone_surrogate_is_refused_and_registration_is_not_restarted(site: Site) -> None:
    status, _ = await _post(site, "/api/chat/start", b'{}')
    assert status == 200
    for body in (b'{"payload": "\\ud800"}', b'{"text": "Nguy\\udfffn"}', b'{"action": "\\udbff"}'):
        route = "/api/chat/start" if b"payload" in body else "/api/chat/send"
        assert await _no_5xx_and_refusals_change_nothing(site, route, body) == 400


async def test_attempt_ids_beyond_64_bits_in_a_button_are_refused(site: Site) -> None:
    for action in ("a:9223372036854775808:0:0", "fin!:18446744073709551616", "go:9223372036854775808"):
        assert await _no_5xx_and_refusals_change_nothing(
            site, "/api/chat/send", json.dumps({"action": action}).encode()) == 400


async def test_a_garbled_cookie_is_a_new_browser_not_an_error(site: Site) -> None:
    for cookie in ("x" * 127, "a.b", "\u00e9.\u00e9", "." * 50):
        assert await _no_5xx_and_refusals_change_nothing(site, "/api/chat/start", b"{}", cookie=cookie) == 200
