"""`dcbot users`: accounts made on the command line sign in to the dashboard."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from bot.cli import app as cli
from bot.passwords import PASSWORDS
from bot.storage.engine import AsyncEngine, make_engine
from bot.storage.repositories import ContestScope
from bot.storage.uow import SqlUnitOfWork
from quiz.staff import StaffUser

NOW = datetime.now(UTC)


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
                            typed="ngắn\nngắn\n1234567890ab\n1234567890ab\nmột mật khẩu dài\nmột mật khẩu dài\n")
    assert code == 0, out
    assert "at least 12 characters" in out and "among the first that guessing tries" in out
    assert "Created organiser 'ban.tochuc'" in out
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
        assert code == 0 and "disabled already" in out
        code, out = await dcbot(db_url, "users", "disable", "khong.co.ai")
        assert code == 1 and "no user 'khong.co.ai'" in out
    finally:
        await engine.dispose()


async def test_an_admin_at_the_server_enables_unlocks_and_sets_a_password_on_record(db_url: str) -> None:
    await dcbot(db_url, "users", "add", "btc.lan", "--role", "organiser",
                typed="bốn mùa xuân hạ thu đông\nbốn mùa xuân hạ thu đông\n")
    await dcbot(db_url, "users", "disable", "btc.lan")
    code, out = await dcbot(db_url, "users", "enable", "btc.lan")
    assert code == 0 and "Enabled 'btc.lan'" in out
    engine = make_engine(db_url)
    try:
        assert (await stored_user(engine, "btc.lan")).active  # type: ignore[union-attr]
        async with SqlUnitOfWork(engine, ContestScope(0)) as uow:  # locked out by wrong passwords from two places
            for remote in ("10.0.0.1", "10.0.0.2"):
                for minute in range(5):
                    await uow.staff.reserve_try(username="btc.lan", remote=remote, now=NOW + timedelta(minutes=minute),
                                                since=NOW - timedelta(hours=1), keep_since=NOW - timedelta(days=1),
                                                checked=lambda tries: True)
            await uow.commit()
        code, out = await dcbot(db_url, "users", "unlock", "btc.lan")
        assert code == 0 and "Unlocked" in out
        async with SqlUnitOfWork(engine, ContestScope(0)) as uow:
            tries = await uow.staff.reserve_try(username="btc.lan", remote="10.0.0.2", now=NOW,
                                                since=NOW - timedelta(hours=1), keep_since=NOW - timedelta(days=1),
                                                checked=lambda tries: False)
        assert tries.pair == 1  # nothing counted against the account any more

        code, out = await dcbot(db_url, "users", "passwd", "btc.lan", typed="abcabcabcabc\nabcabcabcabc\n"
                                "sông lô chảy qua hà giang\nsông lô chảy qua hà giang\n")
        assert code == 0 and "guessing tries" in out and "New password set for 'btc.lan'" in out
        user = await stored_user(engine, "btc.lan")
        assert user is not None and PASSWORDS.verify(user.password_hash, "sông lô chảy qua hà giang")

        async with SqlUnitOfWork(engine, ContestScope(0)) as uow:
            logged = [(e.actor, e.origin, e.action, e.target) for e in reversed(await uow.audit.recent(limit=20))]
        assert logged == [("cli", "cli", action, "btc.lan") for action in
                          ("staff.add", "staff.disable", "staff.enable", "staff.unlock", "staff.password")]
    finally:
        await engine.dispose()


async def test_passwords_that_differ_are_asked_again(db_url: str) -> None:
    code, out = await dcbot(db_url, "users", "add", "quantri", "--role", "admin",
                            typed="mật khẩu thứ nhất\nmật khẩu thứ hai\nmật khẩu đúng rồi\nmật khẩu đúng rồi\n")
    assert code == 0, out
    assert "do not match" in out and "Created admin 'quantri'" in out
