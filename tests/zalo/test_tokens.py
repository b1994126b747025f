"""The OA token: bootstrapped from ZALO_REFRESH_TOKEN, refreshed on -216/-220, stored before use."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.storage.tokens import ChannelTokens, SqlTokenStore

from .fake_server import FakeZalo
from .harness import ZaloWorld


class Recording:
    """The real store, noting each save in the fake's event log so the order of save and use shows."""

    def __init__(self, store: SqlTokenStore, fake: FakeZalo) -> None:
        self.store, self.fake = store, fake

    async def load(self) -> ChannelTokens | None:
        return await self.store.load()

    async def save(self, tokens: ChannelTokens, *, now: datetime) -> None:
        await self.store.save(tokens, now=now)
        self.fake.events.append(f"stored {tokens.access_token} {tokens.refresh_token}")


async def test_the_first_start_spends_the_configured_refresh_token_and_stores_the_new_pair(
        world: ZaloWorld, fake_zalo: FakeZalo) -> None:
    stored = await SqlTokenStore(world.app.engine, "zalo").load()
    assert stored is not None and stored.refresh_token == fake_zalo.refresh_token != "RT-0"
    assert fake_zalo.events == ["refresh RT-0"]
    assert "AT-" not in repr(stored)  # tokens never reach a log line


async def test_an_expired_token_is_refreshed_stored_and_the_message_sent_again(
        open_world: Callable[..., Any], make_app: Any, fake_zalo: FakeZalo) -> None:
    app = await make_app()
    world: ZaloWorld = await open_world(app)
    world.handle.channel.api.tokens.store = Recording(SqlTokenStore(app.engine, "zalo"), fake_zalo)
    an = world.citizen()
    await an.follow()
    old = an.last.token
    fake_zalo.events.clear()
    fake_zalo.expire()

    await an.send("/thele")

    new = fake_zalo.access
    assert an.last.token == new != old and "Thể lệ" in an.last.text
    refresh = next(e for e in fake_zalo.events if e.startswith("refresh"))
    assert fake_zalo.events == [f"use {old}", refresh, f"stored {new} {fake_zalo.refresh_token}", f"use {new}"]
    stored = await SqlTokenStore(app.engine, "zalo").load()
    assert stored is not None and (stored.access_token, stored.refresh_token) == (new, fake_zalo.refresh_token)


async def test_a_restart_uses_the_stored_pair_not_the_spent_configured_token(
        open_world: Callable[..., Any], make_app: Any, fake_zalo: FakeZalo) -> None:
    app = await make_app()
    first: ZaloWorld = await open_world(app)
    await first.handle.stop()
    fake_zalo.events.clear()
    second: ZaloWorld = await open_world(app)
    await second.citizen().follow()
    assert [e for e in fake_zalo.events if e.startswith("refresh")] == []


async def test_a_token_refreshed_by_another_worker_is_read_from_the_store(
        open_world: Callable[..., Any], make_app: Any, fake_zalo: FakeZalo) -> None:
    app = await make_app()
    one: ZaloWorld = await open_world(app)
    two: ZaloWorld = await open_world(app)
    fake_zalo.expire()
    await one.citizen("1001").follow()  # worker one refreshes…
    fake_zalo.events.clear()
    await two.citizen("1002").follow()  # …worker two is refused once, finds the new pair stored, sends
    assert [e for e in fake_zalo.events if e.startswith("refresh")] == []
    assert fake_zalo.to("1002")


async def test_a_new_refresh_token_in_the_settings_rescues_a_broken_chain(
        open_world: Callable[..., Any], make_app: Any, fake_zalo: FakeZalo) -> None:
    app = await make_app()
    world: ZaloWorld = await open_world(app)
    await world.handle.stop()
    fake_zalo.refresh_token = "RT-new"  # the chain broke; the admin authorised the app again
    fake_zalo.expire()
    again: ZaloWorld = await open_world(app, zalo_refresh_token="RT-new")
    await again.citizen().follow()
    assert again.citizen().screen


async def test_without_any_usable_token_the_channel_starts_down_and_says_what_to_do(
        open_world: Callable[..., Any], fake_zalo: FakeZalo) -> None:
    refused: ZaloWorld = await open_world(zalo_refresh_token="RT-wrong")
    state = refused.handle.health.channels()["zalo"]
    assert state.state == "down" and "ZALO_REFRESH_TOKEN" in state.reason
    missing: ZaloWorld = await open_world(zalo_refresh_token=None)
    assert "ZALO_REFRESH_TOKEN is not set" in missing.handle.health.channels()["zalo"].reason


async def test_a_token_about_to_expire_is_refreshed_before_it_is_used(world: ZaloWorld, fake_zalo: FakeZalo,
                                                                      clock: Any) -> None:
    clock.advance(hours=24, minutes=56)  # the access token lives 25 hours
    fake_zalo.events.clear()
    await world.citizen().follow()
    assert [e.split()[0] for e in fake_zalo.events] == ["refresh", "use", "use"]  # one refresh, two messages
