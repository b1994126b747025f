"""The webhook: only Zalo's signature is believed, and each event is recorded before it is acknowledged
and processed once, however often Zalo delivers it."""
from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from bot.channels.zalo.signature import HEADER, sign, verify
from bot.storage import tables as t

from .harness import APP_ID, OA_SECRET, ZaloWorld


async def recorded(world: ZaloWorld) -> list[tuple[str, bool]]:
    async with world.app.engine.connect() as conn:
        rows = await conn.execute(select(t.inbound_events.c.event_id, t.inbound_events.c.processed_at))
        return [(r.event_id, r.processed_at is not None) for r in rows]


async def bodies(world: ZaloWorld) -> list[object]:
    async with world.app.engine.connect() as conn:
        return list((await conn.execute(select(t.inbound_events.c.payload))).scalars())


def test_the_signature_is_the_sha256_of_app_id_body_timestamp_and_secret() -> None:
    import hashlib
    body = b'{"event_name":"follow","timestamp":"1718850000000"}'
    expected = "mac=" + hashlib.sha256(b"42" + body + b"1718850000000" + b"s3cret").hexdigest()
    assert sign(app_id="42", body=body, timestamp="1718850000000", secret="s3cret") == expected
    assert verify(expected.upper().replace("MAC=", "mac="), app_id="42", body=body, timestamp="1718850000000",
                  secret="s3cret")
    assert not verify(None, app_id="42", body=body, timestamp="1718850000000", secret="s3cret")


@pytest.mark.parametrize("signature", ["mac=" + "0" * 64, "nonsense", ""])
async def test_a_wrong_signature_is_refused_and_nothing_is_processed(world: ZaloWorld, signature: str,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    an = world.citizen()
    assert await world.post(an.event("follow"), signature=signature or None, signed=bool(signature)) == 401
    assert await recorded(world) == [] and world.fake.sent == []
    assert "signature refused" in caplog.text


async def test_a_missing_signature_is_refused(world: ZaloWorld) -> None:
    assert await world.post(world.citizen().event("follow"), signed=False) == 401
    assert await recorded(world) == [] and world.fake.sent == []


async def test_a_body_changed_after_signing_is_refused(world: ZaloWorld) -> None:
    an = world.citizen()
    payload = an.text_event("/start")
    body = json.dumps(payload).encode()
    signature = sign(app_id=APP_ID, body=body, timestamp=payload["timestamp"], secret=OA_SECRET)
    forged = body.replace(b"/start", b"/bxh  ")
    assert await world.post(payload, raw=forged, signature=signature) == 401
    assert await world.post(payload, raw=body.replace(b'"timestamp": "', b'"timestamp": "9'),
                            signature=signature) == 401  # a changed timestamp changes the signature too
    assert await recorded(world) == [] and world.fake.sent == []


async def test_a_body_that_is_not_json_is_refused(world: ZaloWorld) -> None:
    response = await world.client.post("/zalo/webhook", data=b"not json", headers={HEADER: "mac=00"})
    assert response.status == 401


async def test_a_replayed_event_is_acknowledged_and_processed_once(world: ZaloWorld,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.channels.zalo")
    an = world.citizen()
    await an.follow()
    payload = an.text_event("/thele")
    assert await world.post(payload) == 200
    shown = len(an.screen)
    assert await world.post(payload) == 200  # Zalo retries, or someone replays a captured call
    assert await world.post(payload) == 200
    assert len(an.screen) == shown
    assert sum(1 for s in an.screen if "Thể lệ" in s.text) == 1
    assert "delivered again" in caplog.text


async def test_a_follow_delivered_twice_greets_once(world: ZaloWorld) -> None:
    an = world.citizen()
    payload = an.event("follow")
    assert await world.post(payload) == 200
    assert await world.post(payload) == 200
    assert len(an.screen) == 2  # one greeting: the notice, then its question under the buttons


async def test_the_event_is_stored_before_the_answer_and_processed_after(world: ZaloWorld) -> None:
    an = world.citizen()
    payload = an.event("follow")
    body = json.dumps(payload).encode()
    headers = {HEADER: sign(app_id=APP_ID, body=body, timestamp=payload["timestamp"], secret=OA_SECRET)}
    response = await world.client.post("/zalo/webhook", data=body, headers=headers)
    assert response.status == 200
    assert len(await recorded(world)) == 1  # durable when the 200 went back
    await world.handle.drain()
    assert await recorded(world) == [(f"follow:{an.user_id}:{payload['timestamp']}", True)]
    assert len(an.screen) == 2  # the greeting's two messages


async def test_ids_stay_strings_even_when_zalo_sends_numbers(world: ZaloWorld) -> None:
    an = world.citizen("8765432109876543219")  # more digits than a double holds
    payload = an.event("follow")
    raw = json.dumps(payload).replace(f'"{an.user_id}"', an.user_id).replace(
        f'"{payload["timestamp"]}"', payload["timestamp"]).encode()
    signature = sign(app_id=APP_ID, body=raw, timestamp=payload["timestamp"], secret=OA_SECRET)
    assert await world.post(payload, raw=raw, signature=signature) == 200
    assert world.fake.to("8765432109876543219")  # answered at the exact id


async def test_events_that_need_no_answer_are_recorded_and_left(world: ZaloWorld) -> None:
    an = world.citizen()
    seen = {"app_id": APP_ID, "event_name": "user_seen_message", "timestamp": an.event("x")["timestamp"],
            "sender": {"id": an.user_id}, "recipient": {"id": "1"}, "message": {"msg_ids": ["a"]}}
    oa_sent = {"app_id": APP_ID, "event_name": "oa_send_text", "timestamp": seen["timestamp"],
               "sender": {"id": "1"}, "recipient": {"id": an.user_id}, "message": {"msg_id": "oa1", "text": "hi"}}
    assert await world.post(seen) == 200
    assert await world.post(oa_sent) == 200
    assert world.fake.sent == []
    assert all(done for _id, done in await recorded(world))


async def test_a_processed_event_keeps_its_id_but_not_the_phone_number_in_it(world: ZaloWorld) -> None:
    an = world.citizen()
    await an.follow()
    await an.share_info(name="Trần Thị Bình", phone="84987654321")
    assert len(await recorded(world)) == 2 and await bodies(world) == [None, None]
