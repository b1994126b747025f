"""The database out of reach for a moment: the web chat says "try again in a moment" (503 with Retry-After,
which the page shows as such), not a 500, and once the database is back the same tap carries on where the
citizen was, with nothing they were told of lost. PostgreSQL, refusing connections for real; skipped
without TEST_DATABASE_URL."""
from __future__ import annotations

import pytest

from bot.web.identity import COOKIE
from conftest import PG_URL
from pg import database_down, emptied

from .conftest import WebChat, register, served

pytestmark = [pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set"), pytest.mark.postgres]


async def test_an_answer_while_the_database_is_down_is_a_503_and_the_retry_carries_on() -> None:
    assert PG_URL
    await emptied(PG_URL)
    async with served(PG_URL) as (_app, client):
        chat = WebChat(client)
        await register(chat)
        await chat.tap("Thi ngay")
        await chat.tap("Vòng chính")
        action = chat.action_of(chat.right_letter())
        cookie = {"Cookie": f"{COOKIE}={chat.cookie}"}

        async with database_down(PG_URL):
            refused = await client.post("/api/chat/send", json={"action": action}, headers=cookie)
            assert refused.status == 503
            assert refused.headers["Retry-After"].isdigit()
            assert "try again" in (await refused.json())["error"]

        again = await client.post("/api/chat/send", json={"action": action}, headers=cookie)
        assert again.status == 200
        shown = await again.json()
        assert shown["toast"] == "Đã ghi nhận"  # recorded now, as the first answer of the attempt
        assert shown["replies"][-1]["progress"]["position"] == 2
