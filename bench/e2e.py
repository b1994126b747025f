"""Benchmark end to end: simulated citizens answer full attempts through the real Telegram webhook (aiogram,
against a fake Bot API on 127.0.0.1) and through the web chat's JSON API (the one the Mini App uses), and
read /bxh, against the service as `dcbot run` starts it, each interleaved with bare baselines in the same run.

For each configuration (1 worker on SQLite, 1 on PostgreSQL, 2 on PostgreSQL + Redis): a fresh database
with N registered citizens on each path, then the baselines (an aiogram echo bot: answerCallbackQuery +
editMessageText, no database; an aiohttp endpoint with the web chat's cookie check and reply shape, as
many processes as the service has workers), the service with its own pacing of Telegram messages
lifted (bench/probe), and the service with its shipped defaults; every configuration runs as README's
recipe has it, with Telegram's calls posted (as setWebhook said) to the intake process on a port of its own.
Before each path is measured its citizens open
their attempts and answer 0-19 questions each, unmeasured, so that their attempts end at different times
as a population's do (`--in-step` leaves them all at the first question: every attempt then ends, and
the next starts, in the same second). Each path is measured at saturation (every citizen taps again once
the next question shows; Telegram's 40 connections at most on the webhook), then at 80% of that rate
(taps arriving at random), then /bxh at saturation. Prints, per configuration and
mode, answers/s, POST→200 p50/p99, CPU ms and database round trips per answer (counted inside the
workers by bench/probe) and the ratio to the baseline; the last line reads like
`e2e 2 workers pg+redis (defaults): webhook 410 answers/s p99 60 ms ratio 0.82 · web 1250 answers/s ...`.
Loopback only; every window is bounded in time (about 25 minutes in all, `--quick` about 8).

    .venv/bin/python bench/e2e.py [--quick] [--configs sqlite,pg,pg+redis] [--citizens 1000]
        [--paths webhook,web,bxh] [--modes lifted,defaults] [--in-step] [--webhook-connections N]
        [--ack-within SECONDS] [--offer ANSWERS_PER_S] [--without-intake] [--work DIR]
    PYTHONPATH=/tmp/checkout .venv/bin/python /tmp/checkout/bench/e2e.py   # measure a clean checkout of a commit

Needs PostgreSQL (it drops and recreates the public schema of bench_e2e and bench_e2e_redis, creating
them when missing) and Redis (it empties database 4) for the last two configurations."""
from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from e2e_kit.bot_api import FakeBotApi
from e2e_kit.citizens import TELEGRAM_CONNECTIONS, Tally, Telegram, TelegramCitizen, WebCitizen
from e2e_kit.load import Measured, answering, offer, reading_the_leaderboard, saturate
from e2e_kit.seed import QUESTIONS, TELEGRAM_IDS, fresh, register
from e2e_kit.servers import BENCH, BIN, PROBE, Service, free_port, pacing_lifted, spent, until_ready

TOKEN = "123456:BENCH-e2e-token-for-the-fake-bot-api"
WEBHOOK_SECRET = "bench-e2e-webhook-secret"
WEB_SECRET = "bench-e2e-web-secret-0123456789abcdef"
BASELINE_IDS = 8_000_000_000  # baseline citizens' Telegram ids (the echo bot keeps no state)
READER_IDS = 9_000_000_000  # citizens who only read /bxh


@dataclass(frozen=True)
class Config:
    name: str
    workers: int
    database: str  # "sqlite" or a PostgreSQL database name
    redis_db: int | None = None


CONFIGS = {"sqlite": Config("1 worker sqlite", 1, "sqlite"), "pg": Config("1 worker pg", 1, "bench_e2e"),
           "pg+redis": Config("2 workers pg+redis", 2, "bench_e2e_redis", redis_db=4)}


@dataclass
class Options:
    citizens: int
    readers: int
    warmup: float
    duration: float
    pg: str  # postgresql+asyncpg://user@host:port (no database)
    redis: str
    work: Path
    mini_app: bool  # the web path's citizens are Telegram accounts in the Mini App, not browsers
    paths: tuple[str, ...] = ("webhook", "web", "bxh")  # what is measured (--paths narrows a run)
    modes: tuple[str, ...] = ("pacing lifted", "defaults")
    spread: bool = True  # False (--in-step): every citizen's attempt starts and ends with everyone else's
    webhook_connections: int | None = None  # the service's TELEGRAM_MAX_CONNECTIONS (None: its default)
    ack_within: float | None = None  # the service's TELEGRAM_ACK_WITHIN_S (None: its default)
    offer: float | None = None  # the service's second window at this rate, not 80% of its own saturation
    intake: bool = True  # Telegram's calls taken by the intake process (TELEGRAM_INTAKE_PORT)


@dataclass
class Figures:
    webhook: tuple[Measured, Measured] | None  # at saturation, at 80% of it (None: not measured)
    web: tuple[Measured, Measured] | None
    board_webhook: Measured | None
    board_web: Measured | None
    webhook_connections: int = TELEGRAM_CONNECTIONS  # Telegram's connections to the webhook (setWebhook's)


class Sessions:
    """Telegram's connections to the webhook (at most 100, as setWebhook allows), browsers' connections, and one
    for /metrics."""

    def __init__(self) -> None:
        timeout = aiohttp.ClientTimeout(total=60)
        self.telegram = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100), timeout=timeout)
        self.web = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout)
        self.control = aiohttp.ClientSession(timeout=timeout)

    async def close(self) -> None:
        for session in (self.telegram, self.web, self.control):
            await session.close()


async def measure(label: str, base: str, services: list[Service], *, probe: bool, telegram_ids: list[int],
                  web: list[dict[str, str]], reader_cookies: list[str], api: FakeBotApi, sessions: Sessions,
                  opts: Options) -> Figures:
    telegram = Telegram(sessions.telegram, api.webhook_url or base + "/telegram/webhook", WEBHOOK_SECRET, api)
    connections = api.webhook_connections or TELEGRAM_CONNECTIONS

    async def snapshot() -> dict[str, float]:
        numbers = await spent(sessions.control, base, services, probe=probe)
        return numbers | {"bench_cpu": time.process_time()}

    def phase(what: str) -> None:
        print(f"  {label}: {what}", file=sys.stderr, flush=True)

    paths: dict[str, list[Any]] = {"webhook": [TelegramCitizen(telegram, uid) for uid in telegram_ids],
                                   "web": [WebCitizen(sessions.web, base, **proof) for proof in web]}
    results: dict[str, tuple[Measured, Measured]] = {}
    rng = random.Random(11)
    for path, citizens in paths.items():
        if path not in opts.paths:
            continue
        phase(f"{path}: {len(citizens)} citizens open their attempts")
        await asyncio.gather(*(c.resume() for c in citizens if not c.has_question), return_exceptions=True)
        if opts.spread:  # their attempts end at different times, as a population's do
            phase(f"{path}: each answers 0–{QUESTIONS - 1} questions first")
            await asyncio.gather(*(_ahead(c, rng.randrange(QUESTIONS), rng) for c in citizens), return_exceptions=True)
        await api.quiet()
        phase(f"{path}: saturation" + (f" ({connections} webhook connections)" if path == "webhook" else ""))
        top = await saturate(citizens, answering, snapshot, warmup=opts.warmup, duration=opts.duration)
        await api.quiet()
        fixed = opts.offer if probe else None  # the baselines always run at 80% of their own saturation
        rate = fixed or max(0.8 * top.rate, 1.0)
        phase(f"{path}: at {rate:.0f} answers/s" + ("" if fixed else f", 80% of {top.rate:.0f}"))
        eighty = await offer(citizens, answering, snapshot, rate=rate, warmup=opts.warmup, duration=opts.duration)
        await api.quiet()
        results[path] = (top, eighty)
    if "bxh" not in opts.paths:
        return Figures(results.get("webhook"), results.get("web"), None, None, connections)
    phase("/bxh")
    readers = [TelegramCitizen(telegram, READER_IDS + k) for k in range(opts.readers)]
    board_webhook = await saturate(readers, reading_the_leaderboard, snapshot, warmup=opts.warmup / 2,
                                   duration=opts.duration / 2)
    await api.quiet()
    board_web = await saturate([WebCitizen(sessions.web, base, cookie=c) for c in reader_cookies],
                               reading_the_leaderboard, snapshot, warmup=opts.warmup / 2, duration=opts.duration / 2)
    return Figures(results.get("webhook"), results.get("web"), board_webhook, board_web, connections)


async def _ahead(citizen: Any, answers: int, rng: random.Random) -> None:
    """Answer a few questions before the measured windows, unmeasured: without this, every citizen would
    start, and so end, each attempt in the same second as all the others (the slow steps of an attempt,
    its start and its end, would arrive as one burst), which no real population of citizens does."""
    for _ in range(answers):
        await citizen.answer(Tally(), rng)


def service_env(config: Config, url: str, port: int, api: str, *, lift: bool, opts: Options) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROMETHEUS_", "TELEGRAM_", "ZALO_", "SMS_"))
           and k not in ("DATABASE_URL", "REDIS_URL", "CONTEST", "CONTEST_PACK", "WEB_PUBLIC_URL", "PYTHONPATH")}
    source = os.environ.get("PYTHONPATH")  # a checkout to measure instead of the installed one, if given
    env |= {"PYTHONPATH": os.pathsep.join([str(PROBE), *([source] if source else [])]), "CDS_BENCH_PROBE": "1",
            "CDS_BENCH_LIFT_PACING": "1" if lift else "0",
            "DATABASE_URL": url, "CONTEST": "bench", "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port),
            "WEB_SECRET": WEB_SECRET, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": api,
            "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}", "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "LOG_LEVEL": "WARNING"}
    if opts.intake:  # as README's recipe runs Telegram's webhook, on one worker (SQLite too) or several
        intake = free_port()
        env |= {"TELEGRAM_INTAKE_PORT": str(intake), "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{intake}"}
    if opts.webhook_connections is not None:
        env["TELEGRAM_MAX_CONNECTIONS"] = str(opts.webhook_connections)
    if opts.ack_within is not None:
        env["TELEGRAM_ACK_WITHIN_S"] = str(opts.ack_within)
    if config.redis_db is not None:
        env["REDIS_URL"] = f"{opts.redis}/{config.redis_db}"
    return env


async def ensure_database(opts: Options, name: str) -> None:
    conn = await asyncpg.connect(opts.pg.replace("postgresql+asyncpg", "postgresql") + "/postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def run_config(config: Config, opts: Options, api: FakeBotApi, api_base: str, sessions: Sessions) -> list[str]:
    work = opts.work / config.database.replace("+", "_")
    work.mkdir(parents=True, exist_ok=True)
    if config.database == "sqlite":
        url = f"sqlite+aiosqlite:///{work / 'bench.sqlite'}"
    else:
        await ensure_database(opts, config.database)
        url = f"{opts.pg}/{config.database}"
    redis_url = f"{opts.redis}/{config.redis_db}" if config.redis_db is not None else None
    print(f"{config.name}: a fresh database, {opts.citizens} citizens on Telegram and {opts.citizens} on the web",
          file=sys.stderr, flush=True)
    await fresh(url, redis_url)
    web = await register(url, secret=WEB_SECRET, token=TOKEN, telegram=opts.citizens, web=opts.citizens,
                         mini_app=opts.mini_app)
    from bot.web.identity import BrowserIds
    reader_cookies = [BrowserIds(WEB_SECRET).issue()[1] for _ in range(opts.readers)]
    kinds = {kind: lift for kind, lift in {"baseline": None, "pacing lifted": True, "defaults": False}.items()
             if lift is None or kind in opts.modes}
    figures: dict[str, Figures] = {}
    for kind, lift in kinds.items():
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        if lift is None:
            argv = [str(BIN / "python"), str(BENCH / "e2e_kit" / "baseline.py"), str(port), api_base, TOKEN,
                    WEBHOOK_SECRET, WEB_SECRET]
            services = [Service(f"baseline {i}", argv, dict(os.environ), log=work / "baseline.log", cwd=work)
                        for i in range(config.workers)]
        else:
            argv = [str(BIN / "dcbot"), "run", *(["--workers", str(config.workers)] if config.workers > 1 else [])]
            services = [Service("dcbot run", argv, service_env(config, url, port, api_base, lift=lift, opts=opts),
                                log=work / "service.log", cwd=work)]
        api.webhook_connections = api.webhook_url = None  # what this service's setWebhook asks for, once started
        try:
            for s in services:
                await s.start()
            await until_ready(sessions.control, base, services)
            if lift and not await pacing_lifted(sessions.control, base):
                raise RuntimeError("bench/probe could not lift the service's pacing: see bench/probe/sitecustomize.py")
            ids = [(BASELINE_IDS if lift is None else TELEGRAM_IDS) + n for n in range(opts.citizens)]
            figures[kind] = await measure(f"{config.name}, {kind}", base, services, probe=lift is not None,
                                          telegram_ids=ids, web=web, reader_cookies=reader_cookies, api=api,
                                          sessions=sessions, opts=opts)
        finally:
            for s in services:
                await s.stop()
    return report(config, figures, offered=opts.offer)


def _ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _path(name: str, pair: tuple[Measured, Measured], baseline: tuple[Measured, Measured], *, probe: bool,
          offered: float | None = None) -> str:
    top, eighty = pair
    ratio = top.rate / baseline[0].rate if baseline[0].rate else float("nan")
    second = f"{offered:.0f}/s offered" if offered else "80%"
    text = (f"{name} {top.rate:.0f} answers/s p50 {_ms(top.p50_ms)} p99 {_ms(top.p99_ms)} ms (at {second}: p50 "
            f"{_ms(eighty.p50_ms)} p99 {_ms(eighty.p99_ms)} ms, next question p99 {_ms(eighty.shown_p99_ms)} ms, "
            f"CPU {1000 * eighty.per_answer('cpu'):.1f} ms"
            + (f", {eighty.per_answer('round_trips'):.1f} round trips" if probe else "")
            + f") ratio {ratio:.2f}, CPU {1000 * top.per_answer('cpu'):.1f} ms")
    if probe:
        text += (f", {top.per_answer('round_trips'):.1f} round trips ({top.per_answer('statements'):.1f} statements, "
                 f"{top.per_answer('transactions'):.1f} transactions)")
    text += f"/answer; bench {1000 * top.per_answer('bench_cpu'):.1f} ms"
    if lost := top.errors + top.lost + eighty.errors + eighty.lost:
        text += f"; {lost} failed"
    if eighty.unserved:
        text += (f"; {eighty.unserved} taps at {second} not offered (every citizen still waiting: the rate offered "
                 f"fell short, so its p99 flatters)")
    return text


def report(config: Config, figures: dict[str, Figures], *, offered: float | None = None) -> list[str]:
    base = figures["baseline"]
    said = []
    for name, pair in (("aiogram echo", base.webhook), ("aiohttp", base.web)):
        if pair:
            unserved = f" ({pair[1].unserved} taps not offered)" if pair[1].unserved else ""
            said.append(f"{name} {pair[0].rate:.0f} answers/s p99 {_ms(pair[1].p99_ms)} ms at 80%{unserved}")
    if base.board_webhook and base.board_web:
        said.append(f"/bxh {base.board_webhook.rate:.0f}/s, {base.board_web.rate:.0f}/s")
    lines = [f"e2e {config.name} · baselines: " + " · ".join(said)]
    summary = []
    for kind in (k for k in ("pacing lifted", "defaults") if k in figures):
        f = figures[kind]
        both = [(name, pair, b) for name, pair, b in (("webhook", f.webhook, base.webhook), ("web", f.web, base.web))
                if pair is not None and b is not None]
        for name, pair, b in both:
            lines.append(f"e2e {config.name} ({kind}) · " + _path(name, pair, b, probe=True, offered=offered)
                         + (f"; {f.webhook_connections} webhook connections" if name == "webhook" else ""))
        if f.board_webhook and f.board_web and base.board_webhook and base.board_web:
            lines.append(f"e2e {config.name} ({kind}) · /bxh webhook {f.board_webhook.rate:.0f}/s p50 "
                         f"{_ms(f.board_webhook.p50_ms)} p99 {_ms(f.board_webhook.p99_ms)} ms (echo "
                         f"{base.board_webhook.rate:.0f}/s) · web {f.board_web.rate:.0f}/s p50 "
                         f"{_ms(f.board_web.p50_ms)} p99 {_ms(f.board_web.p99_ms)} ms (aiohttp "
                         f"{base.board_web.rate:.0f}/s)")
        summary.append(f"e2e {config.name} ({kind}): " + " · ".join(
            f"{name} {pair[0].rate:.0f} answers/s p99 {_ms(pair[1].p99_ms)} ms ratio "
            f"{pair[0].rate / b[0].rate if b[0].rate else float('nan'):.2f}" for name, pair, b in both))
    return lines + summary


async def main(opts: Options, chosen: list[Config]) -> None:
    api = FakeBotApi()
    api_base = await api.start()
    sessions = Sessions()
    summaries: list[str] = []
    try:
        for config in chosen:
            lines = await run_config(config, opts, api, api_base, sessions)
            modes = len(opts.modes)
            for line in lines[:-modes]:
                print(line, flush=True)
            summaries += lines[-modes:]
    finally:
        await sessions.close()
        await api.stop()
    print("\n".join(summaries), flush=True)  # one line per configuration and mode; the shipped defaults last


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 citizens, 5-second windows: a short run")
    parser.add_argument("--configs", default="sqlite,pg,pg+redis", help="which of sqlite, pg, pg+redis")
    parser.add_argument("--citizens", type=int, help="citizens on each path (default 1000; --quick 200)")
    parser.add_argument("--duration", type=float, help="seconds per window (default 15; --quick 5)")
    parser.add_argument("--web-as", choices=("browser", "mini-app"), default="browser",
                        help="the web path's citizens: browsers of the web chat (a cookie) or the Telegram Mini App")
    parser.add_argument("--paths", default="webhook,web,bxh", help="which of webhook, web, bxh to measure")
    parser.add_argument("--modes", default="lifted,defaults", help="the service with its pacing lifted, as shipped")
    parser.add_argument("--in-step", action="store_true",
                        help="citizens start their attempts together, so all of them end in the same second too")
    parser.add_argument("--webhook-connections", type=int,
                        help="the service's TELEGRAM_MAX_CONNECTIONS (Telegram's connections to its webhook)")
    parser.add_argument("--ack-within", type=float,
                        help="the service's TELEGRAM_ACK_WITHIN_S (how long a webhook call waits to answer the press)")
    parser.add_argument("--without-intake", action="store_true",
                        help="the workers take Telegram's calls themselves (no TELEGRAM_INTAKE_PORT), to compare")
    parser.add_argument("--offer", type=float, help="offer the service this many answers/s in its second window "
                        "instead of 80%% of its saturation rate (to compare two versions at the same load)")
    parser.add_argument("--work", type=Path, help="keep the databases and logs here (default: a temporary folder)")
    parser.add_argument("--pg", default="postgresql+asyncpg://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    args = parser.parse_args()
    unknown = [c for c in args.configs.split(",") if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown configuration {unknown}; choose from {', '.join(CONFIGS)}")
    if not set(args.paths.split(",")) <= {"webhook", "web", "bxh"} or not args.paths:
        parser.error("--paths: a comma-separated list of webhook, web, bxh")
    if not set(args.modes.split(",")) <= {"lifted", "defaults"} or not args.modes:
        parser.error("--modes: lifted, defaults or both")
    with tempfile.TemporaryDirectory(prefix="cds-e2e-") as tmp:
        duration = args.duration or (5.0 if args.quick else 15.0)
        citizens = args.citizens or (200 if args.quick else 1000)
        options = Options(citizens=citizens, readers=max(10, citizens // 20), warmup=min(3.0, duration / 4),
                          duration=duration, pg=args.pg, redis=args.redis, work=args.work or Path(tmp),
                          mini_app=args.web_as == "mini-app", paths=tuple(args.paths.split(",")),
                          spread=not args.in_step, webhook_connections=args.webhook_connections,
                          ack_within=args.ack_within, offer=args.offer, intake=not args.without_intake,
                          modes=tuple({"lifted": "pacing lifted"}.get(m, m) for m in args.modes.split(",")))
        asyncio.run(main(options, [CONFIGS[c] for c in args.configs.split(",")]))
