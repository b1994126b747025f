"""A fresh database with the bench contest and its registered citizens, made through the use cases (registering
1,000 people through the chat would measure registration, not answers)."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import redis.asyncio as aioredis
from sqlalchemy import text

from bot.compose import build
from bot.config import Settings
from bot.storage.contests import store_pack
from bot.storage.engine import make_engine
from bot.storage.migrate import upgrade_async
from bot.web.identity import BrowserIds
from bot.web.init_data import secret_key
from quiz.model import Contest, FaqEntry, Question, QuestionSet, Round, RulesSection, Tip, Unit
from quiz.pack import ContestPack
from quiz.people import PURPOSE_CONTEST

QUESTIONS = 20  # per attempt, as bench/answers.py
TELEGRAM_IDS = 7_000_000_000  # the citizens' Telegram user ids start here …
MINI_APP_IDS = 7_500_000_000  # … and those of the citizens who answer in the Mini App


def bench_pack() -> ContestPack:
    """One ranked round, always open: 20 of 60 questions in 30 minutes, as many attempts as one likes."""
    topics = {"chung": {"vi": "Chung"}}
    questions = tuple(Question(f"b-{i:03d}", "chung", f"Câu hỏi đo tải số {i}: phương án nào đúng?",
                               ("Một", "Hai", "Ba", "Bốn"), i % 4) for i in range(60))
    round_ = Round("tai", {"vi": "Vòng đo tải"}, "bench", QUESTIONS, timedelta(minutes=30))
    contest = Contest("bench", {"vi": "Đo tải"}, {"vi": "BTC"}, "Asia/Ho_Chi_Minh", topics, (round_,))
    units = (Unit("R", "Tỉnh", None, "tinh", 1_000_000), Unit("R-1", "Huyện", "R", "huyen", 500_000))
    return ContestPack(contest, (QuestionSet("bench", 1, questions),), "1",
                       (RulesSection("r", {"vi": "Thể lệ"}, {"vi": "…"}),), (Tip("t", "chung", {"vi": "…"}),),
                       (FaqEntry("f", {"vi": "?"}, {"vi": "!"}),), units)


def init_data(token: str, user_id: int) -> str:
    """What Telegram hands the Mini App opened by `user_id` now (bot.web.init_data checks it)."""
    fields = {"auth_date": str(int(time.time())), "query_id": f"bench{user_id}",
              "user": json.dumps({"id": user_id, "first_name": "An", "language_code": "vi"}, separators=(",", ":"))}
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    digest = hmac.new(secret_key(token), check.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest}, quote_via=quote)


async def fresh(url: str, redis_url: str | None) -> None:
    """An empty database (SQLite file removed, PostgreSQL's public schema dropped) with the bench contest."""
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for leftover in path.parent.glob(path.name + "*"):  # the file, its WAL, and the state journal beside it
            leftover.unlink()
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await upgrade_async(engine)
    await store_pack(engine, bench_pack(), now=datetime.now(UTC))
    await engine.dispose()
    if redis_url:
        client = aioredis.from_url(redis_url)
        await client.flushdb()  # only the bench's own Redis database
        await client.aclose()


async def register(url: str, *, secret: str, token: str, telegram: int, web: int,
                   mini_app: bool) -> list[dict[str, str]]:
    """`telegram` citizens on Telegram (ids TELEGRAM_IDS…) and `web` on the web chat, registered and consenting.
    Returns how each web citizen proves who it is: a browser's cookie, signed with `secret` as the service
    signs them, or (`mini_app`) a Telegram account's initData (ids MINI_APP_IDS…), signed with the bot's `token`."""
    app = await build(Settings(database_url=url, contest="bench", web_secret=secret, redis_url=None,
                               telegram_bot_token=None))
    ids, now, proofs = BrowserIds(secret), datetime.now(UTC), []
    accounts: list[tuple[str, str]] = [("telegram", str(TELEGRAM_IDS + n)) for n in range(telegram)]
    for n in range(web):
        if mini_app:
            accounts.append(("telegram", str(MINI_APP_IDS + n)))
            proofs.append({"authorization": "tma " + init_data(token, MINI_APP_IDS + n)})
        else:
            browser_id, cookie = ids.issue()
            accounts.append(("web", browser_id))
            proofs.append({"cookie": cookie})

    async def one(n: int, channel: str, external_id: str) -> None:
        account = await app.people.account(channel=channel, external_id=external_id, locale="vi", now=now)
        await app.people.consent(account_id=account.id, purpose=PURPOSE_CONTEST, granted=True, now=now)
        await app.people.register(account_id=account.id, full_name="Người Đo Tải", birth_year=1990,
                                  phone=f"09{n:08d}", unit_code="R-1", referral=None, now=now)

    try:
        for start in range(0, len(accounts), 50):
            await asyncio.gather(*(one(n, *accounts[n]) for n in range(start, min(start + 50, len(accounts)))))
    finally:
        await app.close()
    return proofs
