"""The composition root: settings in, a running contest service out."""
from __future__ import annotations

import gc
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone



from bot.broadcasts.runner import Broadcaster
from bot.config import Settings
from bot.content import read_pack
from bot.dispatch import Dispatcher, utcnow
from bot.i18n import Translator
from bot.import_desk import ImportDesk
from bot.state import MemoryStates, RedisStates, StateStore
from bot.storage.answer_log import GroupCommitAnswers
from bot.storage.broadcasts import BroadcastStore
from bot.storage.contests import contest_slugs, load_runtime, store_pack
from bot.storage.repositories import ContestScope
from bot.storage.engine import AsyncEngine, is_sqlite, make_engine
from bot.storage.migrate import upgrade_async
from bot.storage.uow import SqlUnitOfWork
from quiz.conversation.engine import Conversation
from quiz.services import Services

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    services: Services
    dispatcher: Dispatcher
    translator: Translator
    states: StateStore
    answers: GroupCommitAnswers
    scope: ContestScope
    reader: AsyncEngine  # reads that never hold up writers (a separate engine on SQLite)
    imports: ImportDesk = field(init=False)  # question files admins upload, checked before publishing
    broadcasts: Broadcaster = field(init=False)  # tips and announcements; channels connect their outlets

    def __post_init__(self) -> None:
        self.imports = ImportDesk(self)
        store = BroadcastStore(self.engine, contest=self.services.runtime.contest.slug)
        self.broadcasts = Broadcaster(store, self.translator, clock=self.dispatcher.clock)

    async def reload(self) -> None:
        """Serve what storage holds now (e.g. a question set version just published), without a restart.

        Row ids are added to the scope the units of work share before the runtime is swapped, so
        requests already running on the old runtime keep working. Other worker processes keep
        their runtime until they restart."""
        runtime, scope = await load_runtime(self.engine, self.services.runtime.contest.slug)
        self.scope.round_ids.update(scope.round_ids)
        self.scope.set_ids.update(scope.set_ids)
        self.services.runtime = runtime

    async def close(self) -> None:
        await self.broadcasts.stop()
        await self.answers.close()
        if isinstance(self.states, RedisStates):
            await self.states.close()
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
        await store_pack(engine, pack, now=datetime.now(timezone.utc))
        log.info("loaded contest %s from %s", pack.contest.slug, settings.contest_pack)
    return pack.contest.slug


def settle_memory() -> None:
    """Freeze what start-up allocated so the collector stops rescanning it, and collect
    the young generation less often: gen-2 pauses were the answer path's p99."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)


async def build(settings: Settings, *, migrate: bool = False, clock: Callable[[], datetime] = utcnow,
                rng: random.Random | None = None) -> App:
    engine = make_engine(settings.database_url)
    reader = make_engine(settings.database_url, read_only=True) if is_sqlite(settings.database_url) else engine
    if migrate:
        await upgrade_async(engine)
    slug = await ensure_contest(engine, settings)
    runtime, scope = await load_runtime(engine, slug)
    answers = GroupCommitAnswers(engine)
    services = Services(runtime=runtime, uow=lambda: SqlUnitOfWork(engine, scope), rng=rng, answers=answers,
                        read_uow=lambda: SqlUnitOfWork(reader, scope))
    states: StateStore = RedisStates(settings.redis_url) if settings.redis_url else MemoryStates()
    dispatcher = Dispatcher(Conversation(services), states, clock=clock)
    settle_memory()
    return App(settings, engine, services, dispatcher, Translator(settings.locales_dir, tz=runtime.contest.timezone),
               states, answers, scope, reader)
