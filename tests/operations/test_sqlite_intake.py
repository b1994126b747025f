"""`dcbot run` on SQLite with Telegram's webhook taken by the intake (TELEGRAM_INTAKE_PORT), as README's
single-server recipe has it: two processes write the one database file, the intake storing each update and
the worker handling it, and sixty citizens at once are all acknowledged at the first call, welcomed and
answered, with no error logged (a write that gave up waiting for the other process's lock would do either)."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp

from telegram.conftest import TOKEN, bot_api  # noqa: F401 - the fake Bot API's fixture
from telegram.fake_server import FakeBotApiServer
from telegram.people import Citizen

from .service import PACK, WITHIN, answers_200, free_port
from .service import log_lines as lines
from .service import until_seen as until

ROOT = Path(__file__).resolve().parents[2]
CITIZENS = 60


async def test_the_intake_and_its_worker_share_one_sqlite_file_under_a_crowd(
        tmp_path: Path, bot_api: FakeBotApiServer) -> None:  # noqa: F811 - the fixture imported above
    port, intake = free_port(), free_port()
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT),
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/contest.sqlite", "CONTEST_PACK": str(PACK),
           "LOCALES_DIR": str(ROOT / "locales"), "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port),
           "WEB_SECRET": "sqlite-intake-test", "LOG_FORMAT": "json", "LOG_LEVEL": "INFO",
           "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": bot_api.base, "TELEGRAM_WEBHOOK_SECRET": "hook",
           "TELEGRAM_WEBHOOK_URL": "https://thi.example.vn", "TELEGRAM_INTAKE_PORT": str(intake)}
    log = tmp_path / "service.log"
    with log.open("wb") as out:
        service = subprocess.Popen([sys.executable, "-c", "from bot.cli import app; app()", "run"], cwd=tmp_path,
                                   env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
    hook = f"http://127.0.0.1:{intake}"
    try:
        async with aiohttp.ClientSession() as http:
            async def worker_connected() -> bool:
                assert service.poll() is None, log.read_text()
                return await answers_200(http, f"{hook}/healthz")
            await until(worker_connected, "the intake up, with the worker connected to it", log)

            refused: list[int] = []

            async def to_intake(update: dict[str, Any]) -> None:  # as Telegram posts: again, until it hears 200
                async def delivered() -> bool:
                    async with http.post(f"{hook}/telegram/webhook", json=update,
                                         headers={"X-Telegram-Bot-Api-Secret-Token": "hook"}) as response:
                        if response.status != 200:
                            refused.append(response.status)
                        return response.status == 200
                await until(delivered, "an update acknowledged by the intake", log)

            async def journey(citizen: Citizen) -> None:
                """Each on their own: the claims of some come while the worker writes for others."""
                await citizen.send("/start")

                async def welcomed() -> bool:
                    return bool(citizen.screen.messages())
                await until(welcomed, "a citizen welcomed", log)
                shown = citizen.screen.last
                assert shown.buttons, "the welcome asks for consent with buttons"
                await citizen.press(shown.message_id, shown.buttons[0][0]["callback_data"])

                async def answered() -> bool:
                    return citizen.screen.last != shown
                await until(answered, "a citizen's press answered", log)
            await asyncio.gather(*(journey(Citizen(bot_api.fake, to_intake, user_id=7000 + k))
                                   for k in range(CITIZENS)))
        errors = [e["message"] for e in lines(log) if e["level"] in ("ERROR", "CRITICAL")]
        assert not errors, errors
        assert not refused, f"every call acknowledged the first time, none sent again: {refused}"
        service.send_signal(signal.SIGTERM)
        assert service.wait(timeout=WITHIN) == 0
    finally:
        if service.poll() is None:
            service.kill()
            service.wait()
