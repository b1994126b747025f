"""`dcbot run --workers N`: N worker processes serving one port, one supervisor keeping them running.

The supervisor checks the settings, migrates the schema and loads the pack once (so workers never race
on them), checks that WEB_HOST:WEB_PORT is free (a second service on it is refused), and starts the
workers, each listening on it with SO_REUSEPORT: the kernel spreads new connections evenly across
them, so connections that arrive together (Telegram opening its 40 webhook connections) are shared
(one shared socket let whichever worker woke first take them all). A worker killed loses the requests
it held and the connections waiting for it to accept them; none of them had an answer yet.
Worker 0 runs the timed jobs (closing rounds, retention, the daily report) and resumes broadcasts;
every worker follows the contest's revision. A worker that dies is started again with a growing wait
and the same index, so there is always exactly one worker 0. SIGTERM or SIGINT stops them all.
With TELEGRAM_INTAKE_PORT the supervisor also keeps the webhook's intake running, a process of its own on
that port (bot.channels.telegram.intake_process), even with one worker."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import time

import typer

from bot.cli.common import CONFIG_EXIT, settings
from bot.config import Settings
from bot.health import Backoff
from bot.metrics import MULTIPROC_ENV, worker_exited

log = logging.getLogger(__name__)
STOP_GRACE = 45.0  # seconds workers may take to finish what they hold before they are killed
STEADY = 60.0  # seconds a worker must run before its next crash counts as new (the wait starts over)


INTAKE = -1  # the supervisor's index for the webhook's intake process (TELEGRAM_INTAKE_PORT)


def _name(index: int) -> str:
    return "the webhook's intake" if index == INTAKE else f"worker {index}"


class SettingsRefused(ValueError):
    """Settings that cannot run this many workers; the message is the one line to show."""


def check_workers(settings: Settings, workers: int) -> None:
    """Several workers share conversation state in Redis, sign cookies with one secret, and take
    Telegram's updates by webhook (two processes must not long-poll one bot)."""
    if workers < 1:
        raise SettingsRefused("--workers must be 1 or more")
    if settings.telegram_intake_port is not None:
        if not (settings.telegram_bot_token and settings.telegram_webhook_url):
            raise SettingsRefused("TELEGRAM_INTAKE_PORT is set but Telegram's webhook is not: the intake takes "
                                  "Telegram's webhook calls; set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_URL, or "
                                  "unset it")
        if settings.telegram_intake_port == settings.web_port:
            raise SettingsRefused(f"TELEGRAM_INTAKE_PORT is WEB_PORT ({settings.web_port}): the intake needs a port of "
                                  "its own, where the proxy sends /telegram/webhook")
    if settings.redis_url and not settings.web_secret:
        raise SettingsRefused("REDIS_URL is set (several workers) but WEB_SECRET is not: every worker must sign the "
                              "web chat's cookies with the same secret; set WEB_SECRET to a long random string")
    if workers == 1:
        return
    if not settings.redis_url:
        raise SettingsRefused(f"--workers {workers} needs REDIS_URL: the workers share conversation state there")
    if settings.telegram_bot_token and not settings.telegram_webhook_url:
        raise SettingsRefused(f"--workers {workers} needs TELEGRAM_WEBHOOK_URL: only one process may long-poll a bot")


def check_free(host: str, port: int) -> None:
    """OSError if host:port is taken: bound without SO_REUSEPORT, this fails while anything listens there,
    our own workers of another service included."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1)


async def prepare(settings: Settings) -> None:
    """Migrate the schema and load the pack into an empty database, once for all workers."""
    from bot.compose import build

    application = await build(settings, migrate=True)
    await application.close()


class Supervisor:
    def __init__(self, settings: Settings, workers: int) -> None:
        self.settings, self.count = settings, workers
        self.stopping = asyncio.Event()
        self.exit_code = 0
        self._procs: dict[int, asyncio.subprocess.Process] = {}

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stopping.set)
        log.info("supervisor: %d workers on http://%s:%s/%s", self.count, self.settings.web_host,
                 self.settings.web_port, "" if self.settings.telegram_intake_port is None else
                 f", Telegram's webhook calls taken on port {self.settings.telegram_intake_port}")
        intake = [self._keep(INTAKE)] if self.settings.telegram_intake_port is not None else []
        await asyncio.gather(*(self._keep(index) for index in range(self.count)), *intake)
        return self.exit_code

    async def _keep(self, index: int) -> None:
        """Run worker `index` until the supervisor stops; start it again when it dies."""
        backoff = Backoff(first=1.0, most=30.0)
        while not self.stopping.is_set():
            started = time.monotonic()
            argv = ["bot.channels.telegram.intake_process"] if index == INTAKE else ["bot.workers", str(index)]
            proc = await asyncio.create_subprocess_exec(sys.executable, "-m", *argv)
            self._procs[index] = proc
            log.info("supervisor: %s started (pid %d)%s", _name(index), proc.pid,
                     ", running the timed jobs" if index == 0 else "")
            code = await self._wait(proc)
            worker_exited(proc.pid)
            if self.stopping.is_set():
                return
            if code == CONFIG_EXIT:
                log.error("supervisor: %s refused the settings; stopping", _name(index))
                self.exit_code = CONFIG_EXIT
                self.stopping.set()
                return
            if time.monotonic() - started > STEADY:
                backoff.reset()
            log.error("supervisor: %s (pid %d) exited with %s; starting it again in %.0fs", _name(index), proc.pid,
                      code, backoff.next)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=backoff.next)
            backoff.next = min(backoff.next * 2, backoff.most)

    async def _wait(self, proc: asyncio.subprocess.Process) -> int:
        waiting = asyncio.ensure_future(proc.wait())
        stopping = asyncio.ensure_future(self.stopping.wait())
        await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not waiting.done():  # stopping: ask the worker to finish, then insist
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            try:
                await asyncio.wait_for(asyncio.shield(waiting), timeout=STOP_GRACE)
            except TimeoutError:
                log.warning("supervisor: worker pid %d did not stop in %.0fs; killing it", proc.pid, STOP_GRACE)
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
        return await waiting


def supervise(settings: Settings, workers: int) -> int:
    """Run `workers` workers until SIGTERM or SIGINT; the exit code."""
    ports = {"WEB_PORT": settings.web_port, "TELEGRAM_INTAKE_PORT": settings.telegram_intake_port}
    for name, port in ports.items():
        if port is None:
            continue
        try:
            check_free(settings.web_host, port)
        except OSError as exc:
            typer.echo(f"cannot listen on {settings.web_host}:{port}: {exc} (set WEB_HOST / {name})", err=True)
            return 1
    asyncio.run(prepare(settings))
    metrics_dir = tempfile.mkdtemp(prefix="cds-metrics-")
    os.environ[MULTIPROC_ENV] = metrics_dir  # before any worker starts: each writes its values there
    try:
        return asyncio.run(Supervisor(settings, workers).run())
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


def worker_main(index: int) -> int:
    """One worker of several on WEB_HOST:WEB_PORT (python -m bot.workers INDEX)."""
    from bot.service import Worker

    try:
        config = settings()
    except typer.Exit as exc:
        return exc.exit_code
    return serve_with(config, Worker(index=index, sharing=True))


def serve_with(config: Settings, worker: object = None) -> int:
    """`dcbot run`'s service in this process; an exit code, and one line instead of a traceback."""
    from bot.channels.telegram.webhook import TelegramConfigError
    from bot.channels.zalo.errors import ZaloConfigError
    from bot.service import CannotListen, Worker, serve
    from quiz.problems import Invalid

    try:
        asyncio.run(serve(config, worker=worker if isinstance(worker, Worker) else Worker()))
    except CannotListen as exc:
        typer.echo(f"{exc} (set WEB_HOST / WEB_PORT)", err=True)
        return 1
    except (TelegramConfigError, ZaloConfigError) as exc:
        typer.echo(f"configuration error: {exc}", err=True)
        return CONFIG_EXIT
    except Invalid as exc:
        typer.echo(f"configuration error: the contest pack {config.contest_pack} has {len(exc.problems)} "
                   f"problem(s); `dcbot contest load {config.contest_pack}` lists them", err=True)
        return CONFIG_EXIT
    return 0


if __name__ == "__main__":
    raise SystemExit(worker_main(int(sys.argv[1])))
