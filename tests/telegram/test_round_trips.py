"""What one answer costs the database on the Telegram webhook path, counted with SQLAlchemy's events (never
timed): the claim, the group commit, the "done" with the replies kept, and the "sent" once they went out —
no pre-ping, no account read, no re-read of the attempt's answers. One citizen at a time, so each group
commit carries one answer: the most a single answer costs; under load, citizens share each round."""
from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot.channels.telegram.runner import start_telegram
from bot.compose import build
from bot.config import Settings
from bot.service import telegram_parts, web_app_for
from bot.storage.engine import make_engine
from bot.storage.inbound import InboundEvents
from roundtrips import RoundTrips

from .conftest import PACK, ROOT, TOKEN
from .fake_server import FakeBotApiServer
from .journey import register, start_attempt
from .people import Citizen, right_letter
from .webhook_reply import carry_out

SECRET = "round-trips"
ANSWERS = 5


async def test_an_answer_through_the_webhook_costs_a_claim_one_group_commit_and_two_grouped_writes(
        db_url: str, bot_api: FakeBotApiServer) -> None:
    settings = Settings(database_url=db_url, contest_pack=PACK, redis_url=None, web_secret="test",
                        locales_dir=ROOT / "locales", telegram_bot_token=TOKEN, telegram_api_base=bot_api.base,
                        telegram_webhook_url="https://thi.example.vn", telegram_webhook_secret=SECRET)
    app = await build(settings, migrate=True)
    web_app = web_app_for(app)
    telegram = await start_telegram(settings, web_app, **telegram_parts(app))
    client: TestClient[Any, Any] = TestClient(TestServer(web_app))
    await client.start_server()
    watcher = make_engine(db_url)  # the test's own looks at the database are not counted
    inbound = InboundEvents(watcher, "telegram")
    counter = RoundTrips(app.engine, app.reader)
    try:
        async def deliver(update: dict[str, Any]) -> None:
            async with client.post("/telegram/webhook", json=update,
                                   headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
                assert response.status == 200
                await carry_out(response, bot_api.fake)
            while not ((s := await inbound.standing(str(update["update_id"]))) and s.done and not s.unsent):
                await asyncio.sleep(0.01)

        c = Citizen(bot_api.fake, deliver, user_id=6001)
        await register(c)
        await start_attempt(c)
        for k in range(ANSWERS + 1):
            if k == 1:  # the first answer read the account; from the second on it is remembered
                counter.start()
            letter = right_letter(c.screen.last.text)
            await c.tap(lambda label, letter=letter: label == letter)
        counts = counter.stop()
        assert c.screen.last.text.startswith(f"Câu {ANSWERS + 2}/10")
    finally:
        counter.close()
        await client.close()
        await telegram.stop()
        await app.close()
        await watcher.dispose()

    assert counts.pings == 0
    assert counts.statements <= 8 * ANSWERS  # claim; the group commit's lock, answers, account, insert, update;
    assert counts.writes <= 4 * ANSWERS  # done with its replies; sent — each write its own, or a shared, round
    if db_url.startswith("postgresql"):  # every write one statement, committed alone (the group commit's two too)
        assert counts.transactions == 0
        assert counts.round_trips <= 5 * ANSWERS, counts  # was 33 an answer (pre-pings, reads, a re-read), then 10
    else:  # every write its own transaction: SQLite's write lock taken four times, and never for a read
        assert counts.transactions <= 4 * ANSWERS
