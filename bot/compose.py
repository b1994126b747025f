"""The composition root: settings in, the contest's use cases and infrastructure out.

Only the entry points (`dcbot run`, the CLI commands, tests) hold the `App`; every adapter is
handed the use cases it calls."""
from __future__ import annotations

import gc
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.broadcasts.runner import Broadcaster
from bot.config import Settings
from bot.content import read_pack
from bot.dispatch import Dispatcher, utcnow
from bot.i18n import Translator
from bot.metrics import MeasuredAnswers
from bot.passwords import PASSWORDS, Passwords
from bot.redis_boards import RedisBoards
from bot.sms import HttpSmsGateway
from bot.state import MemoryStates, RedisStates, StateStore, journal_for
from bot.storage.answer_log import GroupCommitAnswers
from bot.storage.attempt_draw import PgDraws
from bot.storage.attempt_end import PgEnds
from bot.storage.contests import SqlRuntimeSource, contest_slugs, load_runtime, store_pack
from bot.storage.engine import AsyncEngine, is_sqlite, make_engine
from bot.storage.migrate import upgrade_async
from bot.storage.repositories import ContestScope
from bot.storage.uow import SqlUnitOfWork
from bot.web.history import ChatTraces
from bot.web.identity import web_secret
from quiz.boards_memory import MemoryBoards
from quiz.conversation.context import Citizen
from quiz.conversation.engine import Conversation
from quiz.identity import PhoneKeys
from quiz.ports import Boards
from quiz.retention import Periods
from quiz.runtime import ContestRuntime
from quiz.services import (
    AuditTrail,
    Broadcasts,
    Figures,
    Imports,
    Integrity,
    LiveContest,
    People,
    Play,
    Reports,
    RoundAdmin,
    StaffAccounts,
    Standings,
    UseCases,
    compose,
)

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    reader: AsyncEngine  # reads that never hold up writers (a separate engine on SQLite)
    scope: ContestScope
    uses: UseCases
    dispatcher: Dispatcher
    translator: Translator
    states: StateStore
    answers: GroupCommitAnswers
    broadcaster: Broadcaster  # sends broadcasts in the background; channels connect their outlets
    boards: Boards  # the live leaderboards: Redis (shared by every worker) when REDIS_URL is set

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.dispatcher.clock

    @property
    def live(self) -> LiveContest:
        return self.uses.live

    @property
    def runtime(self) -> ContestRuntime:
        return self.uses.live.runtime

    @property
    def people(self) -> People:
        return self.uses.people

    @property
    def play(self) -> Play:
        return self.uses.play

    @property
    def standings(self) -> Standings:
        return self.uses.standings

    @property
    def rounds(self) -> RoundAdmin:
        return self.uses.rounds

    @property
    def imports(self) -> Imports:
        return self.uses.imports

    @property
    def integrity(self) -> Integrity:
        return self.uses.integrity

    @property
    def broadcasts(self) -> Broadcasts:
        return self.uses.broadcasts

    @property
    def reports(self) -> Reports:
        return self.uses.reports

    @property
    def figures(self) -> Figures:
        return self.uses.figures

    @property
    def staff(self) -> StaffAccounts:
        return self.uses.staff

    @property
    def audit(self) -> AuditTrail:
        return self.uses.audit

    async def close(self) -> None:
        await self.broadcaster.stop()
        await self.answers.close()
        if isinstance(self.boards, RedisBoards):
            await self.boards.close()
        if isinstance(self.states, RedisStates):
            await self.states.close()
        if isinstance(self.states, MemoryStates):
            self.states.close()
        if self.reader is not self.engine:
            await self.reader.dispose()
        await self.engine.dispose()


async def ensure_contest(engine: AsyncEngine, settings: Settings) -> str:
    """The slug to serve: the configured one, or the pack's, loading the pack if the database has none."""
    slugs = await contest_slugs(engine)
    if settings.contest and settings.contest in slugs:
        return settings.contest
    pack = read_pack(settings.contest_pack)
    if pack.contest.slug not in slugs:
        await store_pack(engine, pack, now=datetime.now(UTC))
        log.info("loaded contest %s from %s", pack.contest.slug, settings.contest_pack)
    return pack.contest.slug


def sms_gateway(settings: Settings) -> HttpSmsGateway | None:
    """The SMS gateway for one-time codes, when one is configured."""
    if not settings.sms_gateway_url:
        return None
    return HttpSmsGateway(url=settings.sms_gateway_url, key=settings.sms_gateway_key, sender=settings.sms_sender,
                          template=settings.sms_template)


def settle_memory() -> None:
    """Freeze what start-up allocated so the collector stops rescanning it, and collect
    the young generation less often: gen-2 pauses were the answer path's p99."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)


async def build(settings: Settings, *, migrate: bool = False, clock: Callable[[], datetime] = utcnow,
                rng: random.Random | None = None, passwords: Passwords = PASSWORDS) -> App:
    engine = make_engine(settings.database_url, pool_size=settings.database_pool_size)
    reader = make_engine(settings.database_url, read_only=True) if is_sqlite(settings.database_url) else engine
    if migrate:
        await upgrade_async(engine)
    slug = await ensure_contest(engine, settings)
    runtime, scope = await load_runtime(engine, slug)
    answers = GroupCommitAnswers(engine)
    on_postgresql = engine.dialect.name == "postgresql"  # starts and ends in two statements, not a transaction
    boards: Boards = RedisBoards(settings.redis_url, contest=slug) if settings.redis_url else MemoryBoards()
    states: StateStore = RedisStates(settings.redis_url) if settings.redis_url else \
        MemoryStates(journal=journal_for(settings.database_url))  # one process: a restart forgets no flow
    uses = compose(runtime=runtime, source=SqlRuntimeSource(reader, slug, scope), hasher=passwords,
                   uow=lambda: SqlUnitOfWork(engine, scope), read=lambda: SqlUnitOfWork(reader, scope, reads_only=True),
                   phone_keys=PhoneKeys(web_secret(settings)), verifier=sms_gateway(settings),
                   periods=Periods(processed_events=timedelta(days=settings.retention_processed_events_days),
                                   idle_accounts=timedelta(days=settings.retention_idle_accounts_days)),
                   answers=MeasuredAnswers(answers), rng=rng, boards=boards,
                   draws=PgDraws(engine, scope) if on_postgresql else None,
                   ends=PgEnds(engine, scope) if on_postgresql else None, traces=ChatTraces(states))
    citizen = Citizen(uses.live, uses.people, uses.play, uses.standings, uses.phone_codes)
    dispatcher = Dispatcher(Conversation(citizen), states, clock=clock)
    translator = Translator(settings.locales_dir, tz=runtime.contest.timezone)
    broadcaster = Broadcaster(uses.broadcasts, translator, clock=clock)
    settle_memory()
    return App(settings, engine, reader, scope, uses, dispatcher, translator, states, answers, broadcaster, boards)
