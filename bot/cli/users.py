"""`dcbot users add/list/disable`: dashboard accounts (shared by every contest in the database)."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated

import typer

from bot.cli.common import now, settings
from quiz.services.staff import StaffAccounts
from quiz.staff import MIN_PASSWORD, BadAccount, UserExists, check_role, check_username

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
            await work(StaffAccounts(uow=lambda: SqlUnitOfWork(engine, scope), read=lambda: SqlUnitOfWork(engine,
                                                                                                          scope),
                                     hasher=PASSWORDS))
        finally:
            await engine.dispose()

    asyncio.run(go())


@app.command("add")
def users_add(name: Annotated[str, typer.Argument(help="Username: 3–64 of a-z 0-9 . _ -")],
              role: Annotated[str, typer.Option(help="organiser (sees) or admin (also sees phone numbers)")]) -> None:
    """Create a dashboard account; the password is asked twice and stored as an argon2 hash."""
    try:
        name, role = check_username(name), check_role(role)
    except BadAccount:
        typer.echo("Username: 3–64 characters of a-z 0-9 . _ -; role: organiser or admin.", err=True)
        raise typer.Exit(2) from None
    for _ in range(3):
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        if len(password) >= MIN_PASSWORD:
            break
        typer.echo(f"The password needs at least {MIN_PASSWORD} characters.", err=True)
    else:
        raise typer.Exit(1)

    async def work(staff: StaffAccounts) -> None:
        try:
            await staff.add(username=name, password=password, role=role, now=now())
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


@app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="Username to disable.")]) -> None:
    """Disable an account and end its sessions at once."""
    async def work(staff: StaffAccounts) -> None:
        if not await staff.disable(username=name, now=now()):
            typer.echo(f"No active user {name!r}.", err=True)
            raise typer.Exit(1)
        typer.echo(f"Disabled {name!r}; their sessions are closed.")

    _with_staff(work)
