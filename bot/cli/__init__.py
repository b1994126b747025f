"""The `dcbot` command line: one module per command group; each command parses, calls a use case, prints."""
from __future__ import annotations

import typer

from bot.cli import broadcast, contest, db, questions, report, rounds, service, standings, users

app = typer.Typer(help="Công Dân Số: quiz chatbot for 'Xây dựng công dân số' contests.", no_args_is_help=True)
for group in (db, contest, questions, users, rounds, broadcast):
    app.add_typer(group.app, name=group.NAME)
for module in (service, standings, report):
    module.register(app)

__all__ = ["app"]
