"""/readyz says whether a worker can serve (database, Redis) and how each channel stands; /metrics
counts what citizens did and how long it took, in Prometheus' text format."""
from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from admin.seed import register
from bot.compose import App, build
from bot.health import Health
from bot.service import web_app_for

from .service import PACK, free_port, settings_for

REDIS_URL = os.environ.get("TEST_REDIS_URL")


async def _client(app: App, health: Health | None = None) -> TestClient[Any, Any]:
    client: TestClient[Any, Any] = TestClient(TestServer(web_app_for(app, health=health)))
    await client.start_server()
    return client


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in a scrape (0 when absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    found = re.search(rf"^{re.escape(name)}(?:\{{{re.escape(want)}\}})? (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


async def test_readyz_is_ok_while_the_database_answers_and_lists_each_channel(app: App) -> None:
    health = Health()
    health.up("telegram")
    health.down("zalo", "Zalo's OAuth server cannot be reached")
    client = await _client(app, health)
    try:
        response = await client.get("/readyz")
        body = await response.json()
    finally:
        await client.close()
    assert response.status == 200
    assert body["database"] == "ok" and body["status"] == "degraded" and "redis" not in body
    assert body["channels"]["telegram"]["state"] == "up"
    assert body["channels"]["zalo"] == {"state": "down", "reason": "Zalo's OAuth server cannot be reached",
                                        "since": body["channels"]["zalo"]["since"]}


@pytest.fixture
async def with_redis(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[App]:
    url = request.param if request.param != "test" else REDIS_URL
    if url is None:
        pytest.skip("TEST_REDIS_URL not set")
    app = await build(settings_for(tmp_path, free_port(), redis_url=url), migrate=True)
    yield app
    await app.close()


@pytest.mark.parametrize("with_redis", ["test"], indirect=True)
async def test_readyz_checks_redis_when_workers_share_it(with_redis: App) -> None:
    client = await _client(with_redis)
    try:
        response = await client.get("/readyz")
        assert response.status == 200 and (await response.json())["redis"] == "ok"
    finally:
        await client.close()


@pytest.mark.parametrize("with_redis", [f"redis://127.0.0.1:{free_port()}/0"], indirect=True)
async def test_a_worker_whose_redis_is_gone_is_not_ready(with_redis: App) -> None:
    client = await _client(with_redis)
    try:
        response = await client.get("/readyz")
        body = await response.json()
    finally:
        await client.close()
    assert response.status == 503 and body["status"] == "unavailable"
    assert body["redis"].startswith("failed") and body["database"] == "ok"


async def test_metrics_count_answers_attempts_and_requests(tmp_path: Path) -> None:
    app = await build(settings_for(tmp_path, free_port()), migrate=True)
    client = await _client(app)
    try:
        before = await (await client.get("/metrics")).text()
        person = await register(app, user="an", phone="0912345678")
        attempt = await app.play.start_attempt(participant_id=person, round_code="chinh", now=app.clock())
        await app.play.answer(attempt_id=attempt.id, participant_id=person, position=0, choice=0, now=app.clock())
        await app.play.answer(attempt_id=attempt.id, participant_id=person, position=0, choice=1, now=app.clock())
        assert (await client.post("/api/chat/start", json={})).status == 200
        response = await client.get("/metrics")
        after = await response.text()
    finally:
        await client.close()
        await app.close()
    assert response.headers["Content-Type"].startswith("text/plain; version=")  # Prometheus text format
    for stored in ("yes", "no"):  # the second answer to one question is not stored
        assert sample(after, "cds_answers_total", stored=stored) == \
            sample(before, "cds_answers_total", stored=stored) + 1
    assert sample(after, "cds_answer_seconds_count") == sample(before, "cds_answer_seconds_count") + 2
    assert sample(after, "cds_attempts_started") == 1 and sample(after, "cds_attempts_open") == 1
    assert sample(after, "cds_answer_queue_depth") == 0
    assert sample(after, "cds_http_request_seconds_count", route="/api/chat/start", status="2xx") == \
        sample(before, "cds_http_request_seconds_count", route="/api/chat/start", status="2xx") + 1
    assert sample(after, "cds_event_seconds_count", channel="web", kind="start") >= 1
    assert "0912345678" not in after and "Nguyễn" not in after, "no personal data in metrics"


def test_the_fixture_pack_is_where_the_service_helpers_point() -> None:
    assert (PACK / "contest.yaml").is_file()
