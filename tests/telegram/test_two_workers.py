"""Two real `dcbot run` workers on PostgreSQL and Redis behind one Telegram webhook, against the fake Bot
API on 127.0.0.1: double taps landing on different workers have one effect, the same update sent to both is
handled once, a question set published and a round created on one worker are served by the other, and an
answer whose worker is killed (SIGKILL) mid-update, after acknowledging it, is stored and answered by the
other worker's sweep.

Needs TEST_DATABASE_URL (PostgreSQL: its tables are emptied first) and TEST_REDIS_URL; skipped without."""
from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select, text
from yarl import URL

from admin.conftest import Visitor
from bot.compose import build
from bot.config import Settings
from bot.storage import tables as t
from bot.storage.engine import AsyncEngine, make_engine
from bot.storage.inbound import InboundEvents
from imports_web.files import fixture_questions, workbook
from imports_web.site import upload
from pg import emptied
from publishing import ADMIN

from .conftest import PACK, ROOT, TOKEN
from .fake_api import FakeTelegram
from .fake_server import FakeBotApiServer
from .journey import register, start_attempt
from .people import Citizen, right_letter
from .test_service import free_port
from .webhook_reply import carry_out

PG_URL, REDIS_URL = os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_REDIS_URL")
pytestmark = [pytest.mark.postgres, pytest.mark.skipif(
    not (PG_URL and PG_URL.startswith("postgresql") and REDIS_URL),
    reason="needs TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL")]
SECRET = "two-workers-secret"
PASSWORD = "mật khẩu đủ dài 2024"
LEASE_S = 4.0  # a killed worker's update is taken over this long after its last renewal …
SWEEP_S = 0.5  # … by the other worker's sweep, which looks this often
WITHIN = 30.0  # seconds any one step may take before the test gives up (a bound, not a speed goal) …
STARTING = 90.0  # … and a worker's start, which imports aiogram's types: seconds of CPU on a busy machine


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def make_url(self, path: str) -> URL:  # what admin.conftest.Visitor asks of a server
        return URL(self.base + path)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


async def until(check: Callable[[], Awaitable[bool]], what: str, workers: Sequence[Worker] = (), *,
                within: float = WITHIN) -> None:
    try:
        async with asyncio.timeout(within):
            while not await check():
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"not within {within}s: {what}\n" + "\n".join(w.tail() for w in workers)) from None


async def fresh_contest(url: str) -> None:
    """The database emptied, the pack loaded (so the workers may start together) and an admin account."""
    await emptied(url)
    app = await build(Settings(database_url=url, contest_pack=PACK, redis_url=None, web_secret="test"))
    try:
        await app.staff.add(username="quantri", password=PASSWORD, role="admin", by=ADMIN, now=datetime.now(UTC))
    finally:
        await app.close()


def start_worker(name: str, tmp_path: Path, bot_api: FakeBotApiServer) -> Worker:
    port = free_port()
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", str(tmp_path)), "LANG": "C.UTF-8",
           "PYTHONPATH": str(ROOT),  # the code under test, whichever checkout the test runs from
           "DATABASE_URL": PG_URL or "", "REDIS_URL": REDIS_URL or "", "CONTEST_PACK": str(PACK),
           "LOCALES_DIR": str(ROOT / "locales"), "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port),
           "WEB_SECRET": "two-workers", "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": bot_api.base,
           "TELEGRAM_WEBHOOK_URL": "https://thi.example.vn", "TELEGRAM_WEBHOOK_SECRET": SECRET,
           "TELEGRAM_LEASE_S": str(LEASE_S), "TELEGRAM_SWEEP_S": str(SWEEP_S), "LOG_LEVEL": "INFO"}
    log = tmp_path / f"{name}.log"
    with log.open("wb") as out:  # the child keeps its own copy of the file descriptor
        process = subprocess.Popen([sys.executable, "-c", "from bot.cli import app; app()", "run"], cwd=tmp_path,
                                   env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    return Worker(name, process, f"http://127.0.0.1:{port}", log)


async def ready(worker: Worker, http: aiohttp.ClientSession) -> None:
    async def answers() -> bool:
        assert worker.process.poll() is None, f"worker {worker.name} exited:\n{worker.tail()}"
        try:
            async with http.get(worker.base + "/healthz") as response:
                return response.status == 200
        except aiohttp.ClientError:
            return False
    await until(answers, f"worker {worker.name} serving", [worker], within=STARTING)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def spawned() -> Iterator[list[Worker]]:
    workers: list[Worker] = []
    yield workers
    for w in workers:
        if w.process.poll() is None:
            w.process.kill()
            w.process.wait(timeout=10)


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    assert PG_URL
    made = make_engine(PG_URL)
    yield made
    await made.dispose()


class Webhook:
    """Telegram's side of the webhook: each update POSTed to one worker, or to both at once; the method in
    the reply carried out; and, so that a test looks at the chat as its citizen would a moment later,
    returning once the replies stored with the update have been sent."""

    def __init__(self, http: aiohttp.ClientSession, workers: list[Worker], fake: FakeTelegram,
                 inbound: InboundEvents) -> None:
        self.http, self.workers, self.fake, self.inbound = http, workers, fake, inbound
        self._turn = 0

    async def acknowledged(self, worker: Worker, update: dict[str, Any]) -> int:
        """The status of the reply to one POST (its method carried out), without waiting for more."""
        async with self.http.post(worker.base + "/telegram/webhook", json=update,
                                  headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
            await carry_out(response, self.fake)
            return response.status

    async def post(self, worker: Worker, update: dict[str, Any]) -> int:
        status = await self.acknowledged(worker, update)
        if status == 200:
            async def sent() -> bool:
                standing = await self.inbound.standing(str(update["update_id"]))
                return standing is not None and standing.done and not standing.unsent
            await until(sent, f"the replies to update {update['update_id']} sent", self.workers)
        return status

    def deliver(self, workers: list[Worker] | None = None) -> Callable[[dict[str, Any]], Awaitable[None]]:
        """A citizen's deliveries, each to the next worker in turn."""
        async def deliver(update: dict[str, Any]) -> None:
            live = workers or self.workers
            self._turn += 1
            assert await self.post(live[self._turn % len(live)], update) == 200
        return deliver


async def count(engine: AsyncEngine, query: Any) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


def participant(user_id: int) -> Any:
    p = t.accounts.c
    return select(p.participant_id).where(p.channel == "telegram", p.external_id == str(user_id)).scalar_subquery()


async def open_attempt(engine: AsyncEngine, user_id: int) -> int:
    a = t.attempts.c
    async with engine.connect() as conn:
        return int((await conn.execute(select(a.id).where(a.participant_id == participant(user_id),
                                                          a.status == "open"))).scalar_one())


def attempts_of(user_id: int) -> Any:
    return select(func.count()).select_from(t.attempts).where(t.attempts.c.participant_id == participant(user_id))


def answers_at(attempt_id: int, position: int) -> Any:
    return select(func.count()).select_from(t.answers).where(t.answers.c.attempt_id == attempt_id,
                                                            t.answers.c.position == position)


def pick(c: Citizen) -> tuple[int, str]:
    """The button of the right answer on the question shown."""
    letter = right_letter(c.screen.last.text)
    return c.screen.button(lambda label: label == letter)


async def test_two_workers_share_one_contest_and_lose_nothing_when_one_is_killed(
        tmp_path: Path, bot_api: FakeBotApiServer, http: aiohttp.ClientSession, spawned: list[Worker],
        engine: AsyncEngine) -> None:
    assert PG_URL
    fake = bot_api.fake
    await fresh_contest(PG_URL)
    a, b = start_worker("a", tmp_path, bot_api), start_worker("b", tmp_path, bot_api)
    spawned += [a, b]
    await asyncio.gather(ready(a, http), ready(b, http))
    webhook = Webhook(http, [a, b], fake, InboundEvents(engine, "telegram"))
    base = random.randrange(10**9, 2 * 10**9)  # Redis keeps conversations between runs: new people each time
    tapper, racer, watcher, killed = (Citizen(fake, webhook.deliver(), user_id=base + i) for i in range(4))
    await asyncio.gather(*(register(c, phone=f"09{base % 10**7:07d}{i}"[:10]) for i, c in
                           enumerate((tapper, racer, watcher, killed))))

    # Alone, a citizen's updates go to the workers in turn: the phone keyboard one worker showed is taken
    # away by the other once the number is in.
    alone = Citizen(fake, webhook.deliver(), user_id=base + 4)
    await register(alone, phone=f"09{base % 10**7:07d}4"[:10])
    sent = [m.params for m in fake.delivered("sendMessage") if m.params["chat_id"] == alone.user["id"]]
    closed = [i for i, m in enumerate(sent) if m.get("reply_markup") == {"remove_keyboard": True}]
    unit = next(i for i, m in enumerate(sent) if m["text"].startswith("Bước 4/4"))
    assert closed and closed[0] < unit, "the phone keyboard stays up under the question after it"

    # A double tap whose two presses land on different workers: one answer, one next question.
    question = await start_attempt(tapper)
    message_id, data = pick(tapper)
    taps = [tapper.press_update(message_id, data) for _ in range(2)]
    assert await asyncio.gather(webhook.post(a, taps[0]), webhook.post(b, taps[1])) == [200, 200]
    attempt = await open_attempt(engine, tapper.user["id"])
    assert await count(engine, answers_at(attempt, 0)) == 1
    assert tapper.screen.last.message_id == question and tapper.screen.last.text.startswith("Câu 2/10")

    # Two presses on "Vòng chính" at once, on different workers: one attempt.
    await racer.tap("Thi ngay")
    message_id, data = racer.screen.button(lambda label: label == "Vòng chính")
    starts = [racer.press_update(message_id, data) for _ in range(2)]
    assert await asyncio.gather(webhook.post(a, starts[0]), webhook.post(b, starts[1])) == [200, 200]
    assert await count(engine, attempts_of(racer.user["id"])) == 1

    # The same update sent to both workers: handled once, and each answers only after it was handled.
    update = racer.press_update(*pick(racer))
    assert await asyncio.gather(webhook.post(a, update), webhook.post(b, update)) == [200, 200]
    assert await count(engine, answers_at(await open_attempt(engine, racer.user["id"]), 0)) == 1
    toasts = [c for c in fake.delivered("answerCallbackQuery")
              if c.params["callback_query_id"] == update["callback_query"]["id"]]
    assert len(toasts) == 1, "one answer to the press, from the worker that handled it"

    # A question set published and a round created on worker a are served by worker b within seconds.
    admin = Visitor(a)  # type: ignore[arg-type]
    try:
        assert (await admin.login("quantri")).status == 200
        await admin.get("/admin/import")
        edited = [replace(q, text=q.text.replace("thử nghiệm", "phiên bản hai")) for q in fixture_questions()]
        assert (await upload(admin, workbook(edited), "bo-cau-hoi.xlsx")).status == 200, admin.text
        token = re.search(r'name="token" value="([^"]+)"', admin.text)
        assert token is not None, admin.text
        published = await admin.post("/admin/import/publish", [("token", token.group(1)), ("confirm", "chinh"),
                                                               ("confirm", "luyen")])
        assert published.status == 200 and "Đã xuất bản «bo-thu» phiên bản 2" in admin.text, admin.text
        created = await admin.post("/admin/rounds/new", {
            "code": "tuan-2", "title": "Tuần 2", "question_set": "bo-thu", "questions": "10", "minutes": "10",
            "per_round": "", "per_day": "", "prediction": "1", "quotas": "", "levels": "", "opens": "",
            "closes": ""})
        assert created.status == 200 and "Tuần 2" in admin.text, admin.text
    finally:
        await admin.close()
    on_b = Citizen(fake, webhook.deliver([b]), user_id=watcher.user["id"])

    async def b_offers_the_new_round() -> bool:
        await on_b.send("/start")
        await on_b.tap("Thi ngay")
        return any(button["text"] == "Tuần 2" for row in on_b.screen.last.buttons for button in row)
    await until(b_offers_the_new_round, "worker b offering the round created on worker a", [a, b])
    await on_b.tap(lambda label: label == "Tuần 2")
    assert on_b.screen.last.text.startswith("Câu 1/10") and "phiên bản hai" in on_b.screen.last.text

    # Worker a is killed while it stores an answer, after Telegram heard the update was received (it was
    # stored first): Telegram never sends it again, and worker b's sweep stores it (or finds it stored) and
    # answers the citizen.
    question = await start_attempt(killed)
    attempt = await open_attempt(engine, killed.user["id"])
    press = killed.press_update(*pick(killed))
    async with engine.connect() as blocker:
        await blocker.execute(select(t.attempts.c.id).where(t.attempts.c.id == attempt).with_for_update())
        sent = asyncio.create_task(webhook.acknowledged(a, press))

        async def a_waits_on_the_attempt() -> bool:
            waiting = await count(engine, text("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                               "current_database() AND wait_event_type = 'Lock'"))
            return waiting > 0
        await until(a_waits_on_the_attempt, "worker a storing the answer", [a])
        assert await sent == 200, "acknowledged while the answer waits: the update itself is stored"
        a.process.send_signal(signal.SIGKILL)
        a.process.wait(timeout=10)
        await blocker.rollback()
    # The answer's write was already with PostgreSQL, one statement committed alone: it may have been stored
    # with nobody told. The citizen was not told, and still sees the first question.
    assert killed.screen.last.text.startswith("Câu 1/10")

    async def stored_and_answered() -> bool:
        return await count(engine, answers_at(attempt, 0)) == 1 and \
            killed.screen.last.message_id == question and killed.screen.last.text.startswith("Câu 2/10")
    await until(stored_and_answered, "worker b finishing the update worker a was killed with", [b])
    edits = len(fake.delivered("editMessageText"))
    assert await webhook.post(b, press) == 200, "Telegram's redelivery, later"
    assert len(fake.delivered("editMessageText")) == edits and await count(engine, answers_at(attempt, 0)) == 1

    unfinished = select(func.count()).select_from(t.inbound_events).where(t.inbound_events.c.processed_at.is_(None))
    assert await count(engine, unfinished) == 0, b.tail()
    b.process.send_signal(signal.SIGTERM)
    assert b.process.wait(timeout=WITHIN) == 0, b.tail()
