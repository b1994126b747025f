"""The webhook's intake, a process of its own beside `dcbot run --workers N` (TELEGRAM_INTAKE_PORT).

Telegram's calls are acknowledged by a process that does nothing else: it reads the update, stores it claimed
for one of the workers (bot.storage.inbound, grouped with the other calls' claims) and answers 200, then
passes the update to that worker over the stream the worker holds open (GET /telegram/intake). The workers
handle updates and answer button presses with a Bot API call. So a 200 never waits for a turn of a worker's
event loop busy with handling, nor for its share of the CPU: on a full machine this process, which sleeps
most of the time, is scheduled first.

A chat's updates go to one worker (by its id, among the workers connected), so they are handled in order in
that worker's lane for the chat. No worker connected: 503, and Telegram sends the update again later. An
update passed to a worker that dies or loses its stream is finished by another worker's sweep once its claim
lapses: a worker renews only the claims it holds (bot.channels.telegram.once).

On SQLite too, beside its one worker: both processes write the one file, each waiting for the other's write
lock by trying it often (bot.storage.direct.begin_immediate), and the intake's claims of a few milliseconds
share one write transaction, so the worker's answers wait for its lock seldom and briefly."""
from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import signal
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from aiohttp import web

from bot import metrics
from bot.config import Settings
from bot.failures import traceback_without_messages
from bot.json_input import NotJson, ids_fit, loads
from bot.storage.engine import is_sqlite, make_engine
from bot.storage.inbound import MAX_TRIES, InboundEvents

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
STREAM_PATH = "/telegram/intake"
WEBHOOK_PATH = "/telegram/webhook"  # the workers serve it too (bot.channels.telegram.webhook)
BACKLOG = 200  # updates queued for one worker's stream before Telegram's calls wait (the worker is behind)
HEARTBEAT_S = 5.0  # an idle stream carries an empty line this often; a worker that hears nothing for 3 reconnects
END = b""  # queued for a stream that is to end
SQLITE_GATHER_S = 0.005  # on SQLite the claims of 5 ms share one write transaction (bot.storage.inbound_writes)


def chat_in(body: Mapping[str, Any]) -> int:
    """The chat an update belongs to, read from its JSON as bot.channels.telegram.lanes.chat_of reads the Update:
    its message's chat, else its sender; an update with neither is a chat of its own."""
    def field(value: Any, name: str) -> Any:
        return value.get(name) if isinstance(value, dict) else None
    press = field(body, "callback_query")
    for holder in (field(body, "message"), field(press, "message"), field(body, "my_chat_member")):
        if isinstance(chat := field(field(holder, "chat"), "id"), int):
            return chat
    if isinstance(sender := field(field(press, "from"), "id"), int):
        return sender
    return -int(body["update_id"])


class Stream:
    """One worker's stream: the updates on their way to it, at most `backlog` of them queued."""

    def __init__(self, request: web.Request, backlog: int) -> None:
        self.request, self.queue = request, asyncio.Queue[bytes](backlog)
        self.ending = False
        self.gone = asyncio.Event()  # nothing more is sent on it

    @property
    def open(self) -> bool:
        return self.request.transport is not None and not self.request.transport.is_closing()

    def end(self) -> None:
        """End the stream after what it has queued."""
        self.ending = True
        with contextlib.suppress(asyncio.QueueFull):  # full: the stream is not waiting for more, it sees `ending`
            self.queue.put_nowait(END)

    async def offer(self, line: bytes) -> None:
        """Queue `line`; while the queue is full, wait for room or for the stream to go, whichever comes first
        (gone, the line is dropped: its claim lapses to a sweep, as for any worker gone)."""
        if self.gone.is_set():
            return
        try:
            self.queue.put_nowait(line)
            return
        except asyncio.QueueFull:
            pass
        put, gone = asyncio.ensure_future(self.queue.put(line)), asyncio.ensure_future(self.gone.wait())
        try:
            await asyncio.wait((put, gone), return_when=asyncio.FIRST_COMPLETED)
        finally:
            put.cancel()
            gone.cancel()

    def close(self) -> None:
        """The stream is gone: every call waiting for room in its queue goes on, however many."""
        self.gone.set()
        while not self.queue.empty():
            self.queue.get_nowait()


class Workers:
    """The workers connected to this intake, each by its stream."""

    def __init__(self) -> None:
        self.streams: dict[str, Stream] = {}

    def connected(self) -> list[str]:
        """The workers whose stream is open, in one order for every call."""
        return sorted(name for name, stream in self.streams.items() if stream.open)

    def pick(self, chat: int) -> str | None:
        """The worker that handles `chat`'s updates while the same workers are connected."""
        names = self.connected()
        return names[chat % len(names)] if names else None


class Intake:
    def __init__(self, settings: Settings, *, backlog: int = BACKLOG) -> None:
        if not settings.telegram_webhook_secret:
            raise ValueError("TELEGRAM_WEBHOOK_SECRET is required")
        self.secret = settings.telegram_webhook_secret.encode()
        self.lease = timedelta(seconds=settings.telegram_lease_s)
        self.engine = make_engine(settings.database_url, pool_size=4)
        self.inbound = InboundEvents(self.engine, "telegram",
                                     gather_s=SQLITE_GATHER_S if is_sqlite(settings.database_url) else 0.0)
        self.workers = Workers()
        self.backlog = backlog

    def _allowed(self, request: web.Request) -> bool:
        return hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), self.secret)

    async def webhook(self, request: web.Request) -> web.Response:
        """POST /telegram/webhook, timed for /metrics as the workers time theirs (one series with theirs)."""
        started = time.perf_counter()
        response = await self._take(request)
        metrics.HTTP_SECONDS.labels(WEBHOOK_PATH, f"{response.status // 100}xx").observe(time.perf_counter() - started)
        return response

    async def _take(self, request: web.Request) -> web.Response:
        if not self._allowed(request):
            return web.Response(status=401)
        try:
            data = loads(await request.read())
        except NotJson as exc:
            log.warning("telegram intake: webhook body refused: %s", exc)
            return web.json_response({"error": "the body is not JSON"}, status=400)
        if not isinstance(data, dict) or type(data.get("update_id")) is not int or not ids_fit(data):
            log.warning("telegram intake: webhook body is not an update; acknowledged and dropped")
            return web.json_response({})
        worker = self.workers.pick(chat_in(data))
        if worker is None:
            return web.json_response({"error": "no worker ready"}, status=503)
        key = str(data["update_id"])
        now = datetime.now(UTC)
        try:
            taken = await self.inbound.claim({key: data}, worker=worker, now=now, stale_before=now - self.lease,
                                             max_tries=MAX_TRIES)
        except Exception as exc:  # the database out of reach: not stored, so Telegram must send it again
            log.error("telegram intake: could not store an update\n%s", traceback_without_messages(exc))
            return web.json_response({"error": "not stored; send it again"}, status=503)
        if key in taken:
            stream = self.workers.streams.get(worker)
            if stream is not None:  # full: the worker is behind, and the 200 waits (Telegram sends the rest later)
                await stream.offer(orjson.dumps([key, data]) + b"\n")
            # else the worker went away meanwhile: its claim lapses and a sweep finishes the update
        return web.json_response({})

    async def health(self, _request: web.Request) -> web.Response:
        """For the operator's checks: 503 while no worker is connected (Telegram's calls are refused then)."""
        connected = len(self.workers.connected())
        return web.json_response({"status": "ok" if connected else "no worker", "workers": connected},
                                 status=200 if connected else 503)

    async def stream(self, request: web.Request) -> web.StreamResponse:
        if not self._allowed(request):
            return web.Response(status=401)
        worker = request.query.get("worker", "")
        if not worker or len(worker) > 64:
            return web.Response(status=400)
        stream = Stream(request, self.backlog)
        response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
        await response.prepare(request)
        if (before := self.workers.streams.get(worker)) is not None:
            before.end()  # the worker connected again: its old stream ends
        self.workers.streams[worker] = stream
        log.info("telegram intake: worker %s connected", worker)
        queue = stream.queue
        try:
            while True:
                try:
                    lines = [await asyncio.wait_for(queue.get(), timeout=HEARTBEAT_S)]
                except TimeoutError:
                    lines = [b"\n"]  # an empty line: fails here if the worker is gone, tells it the intake is alive
                while not queue.empty():
                    lines.append(queue.get_nowait())
                try:
                    await response.write(b"".join(lines))
                except ConnectionError:  # the worker is gone: what it was sent lapses to a sweep
                    return response
                if stream.ending:
                    return response
        finally:
            if self.workers.streams.get(worker) is stream:
                del self.workers.streams[worker]
            stream.close()  # calls waiting for room go on: what they stored lapses to a sweep
            log.info("telegram intake: worker %s gone", worker)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(WEBHOOK_PATH, self.webhook)
        app.router.add_get(STREAM_PATH, self.stream)
        app.router.add_get("/healthz", self.health)
        app.on_shutdown.append(self._end_streams)
        return app

    async def _end_streams(self, _app: web.Application) -> None:
        """Stopping: each stream ends after what is queued for it (what comes later lapses to a sweep)."""
        for stream in self.workers.streams.values():
            stream.end()


async def serve(settings: Settings, port: int) -> None:
    intake = Intake(settings)
    runner = web.AppRunner(intake.app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.web_host, port, backlog=1024)
    await site.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("telegram intake on %s:%s", settings.web_host, port)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await intake.engine.dispose()


def main() -> int:
    """The intake as `dcbot run`'s supervisor starts it (python -m bot.channels.telegram.intake_process)."""
    import typer

    from bot.cli.common import CONFIG_EXIT
    from bot.cli.common import settings as load_settings

    try:
        config = load_settings()
    except typer.Exit as exc:
        return exc.exit_code
    if config.telegram_intake_port is None or not config.telegram_webhook_secret:
        log.error("telegram intake: TELEGRAM_INTAKE_PORT and TELEGRAM_WEBHOOK_SECRET are both needed")
        return CONFIG_EXIT
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(config, config.telegram_intake_port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
