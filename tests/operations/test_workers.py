"""`dcbot run --workers 2` on PostgreSQL and Redis: two workers answer on one port and share connections
that arrive together, Telegram's webhook is answered through nginx and the intake (which, killed, is started
again), one of them runs the timed jobs,
/metrics sums both, a killed worker is started again while the other serves, SIGTERM stops everything
cleanly, and every log line is one JSON object.
Skipped without TEST_DATABASE_URL (PostgreSQL: emptied first) and TEST_REDIS_URL."""
from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from pg import emptied
from telegram.conftest import TOKEN, bot_api  # noqa: F401 - the fake Bot API's fixture
from telegram.fake_server import FakeBotApiServer
from telegram.people import Citizen

from .service import PACK, WITHIN, answers_200, free_port
from .service import log_lines as lines
from .service import until_seen as until

ROOT = Path(__file__).resolve().parents[2]
PG_URL, REDIS_URL = os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_REDIS_URL")
pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not (PG_URL and REDIS_URL), reason="needs TEST_DATABASE_URL and TEST_REDIS_URL")]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def nginx_in_front(tmp_path: Path, upstream: int, intake: int) -> tuple[subprocess.Popen[bytes], str]:
    """nginx with deploy/nginx/congdanso-locations.conf, as the README's recipe has it, on plain HTTP."""
    prefix = tmp_path / "nginx"
    (prefix / "logs").mkdir(parents=True)
    port = free_port()
    (prefix / "nginx.conf").write_text(f"""
daemon off; pid {prefix}/nginx.pid; error_log {prefix}/logs/error.log;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy;
  upstream congdanso {{ server 127.0.0.1:{upstream}; keepalive 32; }}
  upstream congdanso_intake {{ server 127.0.0.1:{intake}; keepalive 32; }}
  server {{ listen 127.0.0.1:{port}; include {ROOT}/deploy/nginx/congdanso-locations.conf; }}
}}
""")
    assert NGINX
    process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, f"http://127.0.0.1:{port}"


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def held(pids: set[int], port: int) -> dict[int, int]:
    """How many open connections to `port` each process holds: its sockets, found by inode in /proc/net/tcp."""
    open_ones = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "01" and int(fields[1].split(":")[1], 16) == port:  # ESTABLISHED, on the service's side
            open_ones.add(f"socket:[{fields[9]}]")
    counts = dict.fromkeys(pids, 0)
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                counts[pid] += os.readlink(fd) in open_ones
    return counts


async def connections_at_once(port: int, count: int) -> list[asyncio.StreamWriter]:
    """`count` keep-alive connections opened together, as Telegram opens its webhook connections, each
    served a request (so a worker has taken it)."""
    async def one() -> asyncio.StreamWriter:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert (await reader.readline()).startswith(b"HTTP/1.1 200")
        return writer
    return await asyncio.gather(*(one() for _ in range(count)))


class KeptAlive:
    """One keep-alive connection, as a webhook's caller keeps it: opened anew only when the service closes it."""

    def __init__(self, port: int) -> None:
        self.port, self.opened = port, 0
        self._stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, path: str) -> None:
        if self._stream is None:
            self._stream = await asyncio.open_connection("127.0.0.1", self.port)
            self.opened += 1
        reader, writer = self._stream
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        assert (await reader.readline()).startswith(b"HTTP/1.1 200")
        headers = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        await reader.readexactly(int(headers["content-length"]))
        if headers.get("connection", "").lower() == "close":
            self.close()

    def close(self) -> None:
        if self._stream is not None:
            self._stream[1].close()
            self._stream = None


async def test_two_workers_on_one_port_with_one_scheduler(
        tmp_path: Path, bot_api: FakeBotApiServer) -> None:  # noqa: F811 - the fixture imported above
    assert PG_URL and REDIS_URL
    await emptied(PG_URL)
    port, intake = free_port(), free_port()
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT),
           "DATABASE_URL": PG_URL, "REDIS_URL": REDIS_URL, "CONTEST_PACK": str(PACK),
           "LOCALES_DIR": str(ROOT / "locales"), "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port),
           "WEB_SECRET": "workers-test", "LOG_FORMAT": "json", "LOG_LEVEL": "INFO",
           "WEB_TRUST_FORWARDED": "127.0.0.1", "WEB_KEEPALIVE_REQUESTS": "10",
           "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": bot_api.base, "TELEGRAM_WEBHOOK_SECRET": "hook",
           "TELEGRAM_WEBHOOK_URL": "https://thi.example.vn", "TELEGRAM_INTAKE_PORT": str(intake)}
    log = tmp_path / "service.log"
    with log.open("wb") as out:
        supervisor = subprocess.Popen([sys.executable, "-c", "from bot.cli import app; app()", "run", "--workers", "2"],
                                      cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    proxy: subprocess.Popen[bytes] | None = None

    def intakes() -> set[int]:
        """The intake processes running now (TELEGRAM_INTAKE_PORT), as the supervisor logged them."""
        started = {int(m.group(1)) for e in lines(log) if (m := re.search(r"webhook's intake started \(pid (\d+)\)",
                                                                         e["message"]))}
        return started & children(supervisor.pid)
    try:
        async with aiohttp.ClientSession() as http:
            def serving() -> set[int]:
                return {e["pid"] for e in lines(log) if e["message"].startswith("web chat:")}

            async def both_serving() -> bool:
                assert supervisor.poll() is None, log.read_text()
                return len(serving()) == 2
            await until(both_serving, "two workers serving", log)
            workers = children(supervisor.pid) - intakes()
            assert workers == serving(), "the two workers are the supervisor's children, beside the intake"
            together = await connections_at_once(port, 40)
            shares = held(workers, port)
            for writer in together:
                writer.close()
            assert sum(shares.values()) == 40 and min(shares.values()) >= 8, \
                f"40 connections opened together are shared by both workers, not kept by one: {shares}"
            if NGINX:  # the recipe's proxy in front: the page, the chat API and the dashboard through it
                proxy, base = nginx_in_front(tmp_path, port, intake)

                async def proxied() -> bool:
                    return await answers_200(http, f"{base}/healthz")
                await until(proxied, "nginx in front", log)
                async with http.post(f"{base}/api/chat/start", json={}) as response:
                    assert response.status == 200 and (await response.json())["replies"]
                async with http.get(f"{base}/admin/", allow_redirects=False) as response:
                    assert response.status == 303 and response.headers["Location"].startswith("/admin/login")
                async def through_nginx(update: dict[str, Any]) -> None:  # as Telegram posts to the webhook:
                    async def delivered() -> bool:  # again, until it hears 200
                        async with http.post(f"{base}/telegram/webhook", json=update,
                                             headers={"X-Telegram-Bot-Api-Secret-Token": "hook"}) as response:
                            return response.status == 200
                    await until(delivered, "the update acknowledged", log)
                citizen = Citizen(bot_api.fake, through_nginx, user_id=4242)
                await citizen.send("/start")

                async def welcomed() -> bool:
                    return len(citizen.screen.messages()) > len(said)
                said: list[Any] = []
                await until(welcomed, "the /start posted through nginx answered, by way of the intake", log)
                assert sum(held(intakes(), intake).values()) > 2, \
                    "beside the two workers' streams, the intake holds nginx's connection: Telegram's calls go there"
                [first_intake] = intakes()
                os.kill(first_intake, signal.SIGKILL)  # its supervisor starts it again

                async def intake_again() -> bool:
                    return len(intakes()) == 1 and first_intake not in intakes() \
                        and len(children(supervisor.pid)) == 3
                await until(intake_again, "the killed intake started again", log)
                said = citizen.screen.messages()
                await citizen.send("/start")
                await until(welcomed, "a /start answered through the intake started again", log)

            for _ in range(20):
                async with http.get(f"{base}/healthz") as response:
                    assert response.status == 200
            async with http.get(f"{base}/readyz") as response:
                ready = await response.json()
                assert response.status == 200 and ready["database"] == "ok" and ready["redis"] == "ok"
            async with http.get(f"{base}/metrics") as response:
                scraped = await response.text()
            counted = re.search(r'^cds_http_request_seconds_count\{route="/healthz",status="2xx"\} (\S+)$', scraped,
                                re.MULTILINE)
            assert counted and float(counted.group(1)) >= 20, "a scrape sums what every worker served"
            if NGINX:
                hooks = re.search(r'^cds_http_request_seconds_count\{route="/telegram/webhook",status="2xx"\} (\S+)$',
                                  scraped, re.MULTILINE)
                assert hooks and float(hooks.group(1)) >= 2, "and what the intake took of Telegram's calls"

            started = [int(m.group(1)) for e in lines(log) if (m := re.search(r"worker 1 started \(pid (\d+)\)",
                                                                                  e["message"]))]
            victim = started[-1]  # worker 1: worker 0 keeps the timed jobs throughout
            os.kill(victim, signal.SIGKILL)

            async def gone() -> bool:
                return victim not in children(supervisor.pid)
            await until(gone, "the killed worker gone", log)
            # Keep-alive connections opened now, while worker 0 alone listens (as Telegram's or nginx's would
            # be), all go to it; once its partner is back they move over as they are renewed.
            lanes = [KeptAlive(port) for _ in range(40)]
            await asyncio.gather(*(lane.get("/healthz") for lane in lanes))

            async def replaced() -> bool:
                async with http.get(f"{base}/healthz") as response:  # the other worker serves meanwhile
                    assert response.status == 200
                now = children(supervisor.pid) - intakes()
                return len(now) == 2 and victim not in now and len(serving()) == 3
            await until(replaced, "the killed worker started again", log)
            newcomer = (children(supervisor.pid) - workers - intakes()).pop()
            before = held({newcomer}, port)[newcomer]  # nginx's, if any

            async def in_turn(lane: KeptAlive) -> None:
                for _ in range(30):
                    await lane.get("/healthz")
            await asyncio.gather(*(in_turn(lane) for lane in lanes))
            shares = held(children(supervisor.pid), port)
            for lane in lanes:
                lane.close()
            assert sum(lane.opened for lane in lanes) > 40, "the service renews keep-alive connections"
            assert shares[newcomer] - before >= 5, \
                f"connections opened while one worker listened move over to the other: {shares}, {before} before"
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=WITHIN) == 0
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(timeout=WITHIN)
        if supervisor.poll() is None:  # a failed step: stop the workers too, not only their supervisor
            left = children(supervisor.pid)
            supervisor.terminate()
            try:
                supervisor.wait(timeout=WITHIN)
            except subprocess.TimeoutExpired:
                supervisor.kill()
                supervisor.wait()
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    entries = lines(log)  # every line parses as JSON
    assert sum(e["message"].startswith("daily report: off") for e in entries) == 1, \
        "the timed jobs run on worker 0 only, not on worker 1 (which started twice)"
    assert any("worker 1 (pid" in e["message"] and "starting it again" in e["message"] for e in entries)
    assert children(supervisor.pid) == set()
