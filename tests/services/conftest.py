"""Use cases over the in-memory fakes: contest rules in milliseconds, no database, no migrations."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import read_pack
from fakes import Memory, use_cases
from quiz.pack import ContestPack
from quiz.runtime import ContestRuntime
from quiz.services import UseCases

PACK = Path(__file__).resolve().parents[1] / "fixtures" / "pack"


@pytest.fixture(scope="session")
def pack() -> ContestPack:
    return read_pack(PACK)


@pytest.fixture
def contest(pack: ContestPack) -> tuple[UseCases, Memory]:
    """Every use case of the fixture contest ("chinh": 10 questions, 2 attempts, 10 minutes, prizes 1-1-1-2;
    "luyen": practice), and the memory they store in."""
    return use_cases(ContestRuntime.from_pack(pack))


@pytest.fixture
def uses(contest: tuple[UseCases, Memory]) -> UseCases:
    return contest[0]
