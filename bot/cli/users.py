"""`dcbot users add/list/disable/enable/unlock/passwd`: dashboard accounts (shared by every contest in the
database). Every change is written to the audit log as done by "cli"."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated

import typer

from bot.cli.common import now, settings
from quiz.audit import CLI
from quiz.services.staff import NoSuchUser, StaffAccounts
from quiz.staff import MIN_PASSWORD, BadAccount, UserExists, check_password, check_role, check_username

NAME = "users"
app = typer.Typer(help="Organiser and admin accounts of the dashboard (/admin).", no_args_is_help=True)


def _with_staff(work: Callable[[StaffAccounts], Awaitable[None]]) -> None:
    """Staff accounts need the schema, not a contest: no pack is loaded for them."""
    config = settings()

    async def go() -> None:
        from bot.passwords import PASSWORDS
        from bot.storage.engine import make_engine
        from bot.storage.migrate import upgrade_async
        from bot.storage.repositories import ContestScope
        from bot.storage.uow import SqlUnitOfWork
        engine = make_engine(config.database_url)
        try:
            await upgrade_async(engine)
            scope = ContestScope(0)  # staff rows belong to no contest
            await work(StaffAccounts(uow=lambda: SqlUnitOfWork(engine, scope),
                                     read=lambda: SqlUnitOfWork(engine, scope, reads_only=True), hasher=PASSWORDS))
        finally:
            await engine.dispose()

    asyncio.run(go())


def _ask_password(username: str) -> str:
    """A new password, asked twice, checked against the policy (quiz.staff.check_password) before it is sent."""
    typer.echo(f"At least {MIN_PASSWORD} characters; a few words of your own make a good one.")
    for _ in range(3):
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            return check_password(password, username=username)
        except BadAccount as bad:
            typer.echo(f"That password cannot be used: {bad}", err=True)
    raise typer.Exit(1)


def _missing(name: str) -> typer.Exit:
    typer.echo(f"There is no user {name!r}; `dcbot users list` shows them.", err=True)
    return typer.Exit(1)


@app.command("add")
def users_add(name: Annotated[str, typer.Argument(help="Username: 3–64 of a-z 0-9 . _ -")],
              role: Annotated[str, typer.Option(help="organiser (sees) or admin (also sees phone numbers)")]) -> None:
    """Create a dashboard account; the password is asked twice and stored as an argon2 hash."""
    try:
        name, role = check_username(name), check_role(role)
    except BadAccount:
        typer.echo("Username: 3–64 characters of a-z 0-9 . _ -; role: organiser or admin.", err=True)
        raise typer.Exit(2) from None
    password = _ask_password(name)

    async def work(staff: StaffAccounts) -> None:
        try:
            await staff.add(username=name, password=password, role=role, by=CLI, now=now())
        except UserExists:
            typer.echo(f"There is already a user {name!r}.", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"Created {role} {name!r}: sign in at /admin/login.")

    _with_staff(work)


@app.command("list")
def users_list() -> None:
    """List dashboard accounts."""
    async def work(staff: StaffAccounts) -> None:
        for u in await staff.users():
            state = f"disabled {u.disabled_at:%Y-%m-%d}" if u.disabled_at else "active"
            typer.echo(f"{u.username:<24} {u.role:<10} created {u.created_at:%Y-%m-%d}  {state}")

    _with_staff(work)


def _change(name: str, act: Callable[[StaffAccounts], Awaitable[bool | None]], done: str,
            unchanged: str = "") -> None:
    """Run one change to an account and say what it did; a missing account ends the command."""
    async def work(staff: StaffAccounts) -> None:
        try:
            changed = await act(staff)
        except NoSuchUser:
            raise _missing(name) from None
        typer.echo(unchanged if changed is False else done)

    _with_staff(work)


@app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="Username to disable.")]) -> None:
    """Disable an account and end its sessions at once."""
    _change(name, lambda staff: staff.disable(username=name, by=CLI, now=now()),
            f"Disabled {name!r}; their sessions are closed.", f"{name!r} was disabled already.")


@app.command("enable")
def users_enable(name: Annotated[str, typer.Argument(help="Username to enable again.")]) -> None:
    """Let a disabled account sign in again."""
    _change(name, lambda staff: staff.enable(username=name, by=CLI, now=now()),
            f"Enabled {name!r}: they can sign in again.", f"{name!r} was not disabled.")


@app.command("unlock")
def users_unlock(name: Annotated[str, typer.Argument(help="Username locked out by wrong passwords.")]) -> None:
    """End a lock-out after wrong passwords, from every address, before its 15 minutes are over."""
    _change(name, lambda staff: staff.unlock(username=name, by=CLI, now=now()),
            f"Unlocked {name!r}: their wrong passwords are forgotten.")


@app.command("passwd")
def users_passwd(name: Annotated[str, typer.Argument(help="Username whose password to set.")]) -> None:
    """Set a new password (asked twice); every session of the account ends."""
    try:
        name = check_username(name)
    except BadAccount:
        raise _missing(name) from None
    password = _ask_password(name)
    _change(name, lambda staff: staff.set_password(username=name, password=password, by=CLI, now=now()),
            f"New password set for {name!r}; their open sessions are closed.")
