"""Every repository contract runs three times: on the in-memory fakes (tests/fakes.py), on SQLite and on
PostgreSQL. Each run starts from the fixture pack stored: its two rounds and question set "bo-thu" v1.

Statistics are left out: they are SQL aggregates with tests of their own (tests/admin/test_statistics.py,
tests/reports), and the fake holds only what the rule tests read."""
from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.content import read_pack
from bot.storage.contests import load_runtime, store_pack
from bot.storage.engine import is_sqlite, make_engine
from bot.storage.migrate import upgrade_async
from bot.storage.uow import SqlUnitOfWork
from fakes import FakeUnitOfWork, Memory
from quiz.pack import ContestPack
from quiz.ports import UowFactory
from quiz.runtime import ContestRuntime

from .make import T0

PACK = Path(__file__).resolve().parents[2] / "fixtures" / "pack"
_PG = (pytest.mark.postgres if os.environ.get("TEST_DATABASE_URL") else
       pytest.mark.skip(reason="TEST_DATABASE_URL not set"))
ON_EVERY_BACKEND = pytest.mark.parametrize(("backend", "db_url"), [
    pytest.param("memory", "sqlite", id="memory"),  # db_url's SQLite branch only names a file
    pytest.param("sql", "sqlite", id="sqlite"),
    pytest.param("sql", "postgresql", id="postgresql", marks=_PG)], indirect=["db_url"])
"""Each contract module's `pytestmark`: its tests run on the fakes, then on a fresh database from `db_url`."""


@pytest.fixture(scope="session")
def pack() -> ContestPack:
    return read_pack(PACK)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the first SQLite test leaves a migrated file holding the pack, for the others to copy:
    migrating costs more than copying."""
    return tmp_path_factory.mktemp("contract") / "template.sqlite"


async def _make_template(path: Path, pack: ContestPack) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade_async(engine)
    await store_pack(engine, pack, now=T0)
    await engine.dispose()  # the last connection folds the write-ahead log into the file


@pytest.fixture
async def uow(backend: str, db_url: str, pack: ContestPack, sqlite_template: Path) -> AsyncIterator[UowFactory]:
    """Units of work over storage holding the fixture pack, each a transaction of its own."""
    if backend == "memory":
        memory = Memory.of(ContestRuntime.from_pack(pack))
        yield lambda: FakeUnitOfWork(memory)
        return
    if is_sqlite(db_url):
        if not sqlite_template.exists():
            await _make_template(sqlite_template, pack)
        shutil.copyfile(sqlite_template, db_url.split(":///", 1)[1])
    engine = make_engine(db_url)
    if not is_sqlite(db_url):
        await store_pack(engine, pack, now=T0)  # into the migrated, emptied database db_url made
    _runtime, scope = await load_runtime(engine, pack.contest.slug)
    yield lambda: SqlUnitOfWork(engine, scope)
    await engine.dispose()
