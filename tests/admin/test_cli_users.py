"""`dcbot users`: accounts made on the command line sign in to the dashboard."""
from __future__ import annotations

import asyncio

from typer.testing import CliRunner

from bot.cli import app as cli
from bot.passwords import PASSWORDS
from bot.storage.engine import AsyncEngine, make_engine
from bot.storage.repositories import ContestScope
from bot.storage.uow import SqlUnitOfWork
from quiz.staff import StaffUser


async def stored_user(engine: AsyncEngine, name: str) -> StaffUser | None:
    async with SqlUnitOfWork(engine, ContestScope(0)) as uow:
        return await uow.staff.user(name)


async def dcbot(db_url: str, *args: str, typed: str = "") -> tuple[int, str]:
    """Run the command in a thread (it runs its own event loop), typing `typed` at its prompts."""
    runner = CliRunner()
    result = await asyncio.to_thread(runner.invoke, cli, list(args), input=typed,
                                     env={"DATABASE_URL": db_url, "LOG_LEVEL": "WARNING"})
    return result.exit_code, result.output


async def test_users_are_added_listed_and_disabled(db_url: str) -> None:
    code, out = await dcbot(db_url, "users", "add", "Ban.ToChuc", "--role", "organiser",
                            typed="ngắn\nngắn\nmột mật khẩu dài\nmột mật khẩu dài\n")
    assert code == 0, out
    assert "at least 10 characters" in out and "Created organiser 'ban.tochuc'" in out
    engine = make_engine(db_url)
    try:
        user = await stored_user(engine, "ban.tochuc")
        assert user is not None and user.role == "organiser" and user.password_hash.startswith("$argon2id$")
        assert PASSWORDS.verify(user.password_hash, "một mật khẩu dài")

        code, out = await dcbot(db_url, "users", "add", "ban.tochuc", "--role", "admin",
                                typed="mật khẩu khác hẳn\nmật khẩu khác hẳn\n")
        assert code == 1 and "already a user" in out
        code, out = await dcbot(db_url, "users", "add", "x", "--role", "boss")
        assert code == 2

        code, out = await dcbot(db_url, "users", "list")
        assert code == 0 and "ban.tochuc" in out and "organiser" in out and "active" in out
        code, out = await dcbot(db_url, "users", "disable", "ban.tochuc")
        assert code == 0 and "Disabled" in out
        assert not (await stored_user(engine, "ban.tochuc")).active  # type: ignore[union-attr]
        code, out = await dcbot(db_url, "users", "disable", "ban.tochuc")
        assert code == 1
    finally:
        await engine.dispose()


async def test_passwords_that_differ_are_asked_again(db_url: str) -> None:
    code, out = await dcbot(db_url, "users", "add", "quantri", "--role", "admin",
                            typed="mật khẩu thứ nhất\nmật khẩu thứ hai\nmật khẩu đúng rồi\nmật khẩu đúng rồi\n")
    assert code == 0, out
    assert "do not match" in out and "Created admin 'quantri'" in out
