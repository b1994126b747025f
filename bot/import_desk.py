"""The admin's import desk, shared by the upload page and the bot: a dry run first, kept server-side
for a while under a random reference, then published on the admin's word (new version, runtime
reloaded, past attempts regraded when an answer key was corrected)."""
from __future__ import annotations

import asyncio
import re
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.question_import import ImportPlan, plan_import, publish
from bot.storage.contests import Publication

if TYPE_CHECKING:
    from bot.compose import App

MAX_BYTES = 5 * 1024 * 1024  # an official set of a few thousand questions is well below this
TTL = timedelta(minutes=30)
KEEP = 100  # dry runs held at once; the oldest go first
_SAFE_NAME = re.compile(r"^[\w][\w .()-]{0,120}$")


@dataclass(frozen=True, slots=True)
class Pending:
    """A dry run waiting for "Xuất bản": whose it is, what it would change, until when."""

    token: str
    owner: str
    name: str
    plan: ImportPlan
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Published:
    publication: Publication
    rekeyed: int  # questions whose correct answer changed
    answers_regraded: int
    attempts_regraded: int
    frozen_rounds: tuple[str, ...] = ()  # closed rounds whose published winners the regrade left as they were


class Stale(LookupError):
    """The dry run expired, belongs to someone else, or the set changed since: check the file again."""


class TooLarge(ValueError):
    """The file is over the size limit; it was not read."""

    def __init__(self, size: int, limit: int = MAX_BYTES) -> None:
        super().__init__(f"{size} bytes, over the limit of {limit}")
        self.size, self.limit = size, limit


class ImportDesk:
    max_bytes = MAX_BYTES

    def __init__(self, application: App, *, ttl: timedelta = TTL) -> None:
        self._app = application
        self.ttl = ttl
        self._pending: dict[str, Pending] = {}

    def targets(self) -> tuple[list[str], list[str]]:
        """The question sets published so far, and the contest's topic codes."""
        runtime = self._app.services.runtime
        return sorted(runtime.sets), list(runtime.contest.topics)

    def _now(self) -> datetime:
        return self._app.dispatcher.clock()

    async def check(self, data: bytes, *, name: str, set_name: str, default_topic: str | None,
                    owner: str) -> Pending:
        """Validate an uploaded file and keep its dry run for `owner`; Invalid with every problem,
        TooLarge over the size limit."""
        if len(data) > MAX_BYTES:
            raise TooLarge(len(data))
        plan = await asyncio.to_thread(_plan_bytes, data, name=name, set_name=set_name,
                                       default_topic=default_topic, app=self._app)
        now = self._now()
        self._forget_expired(now)
        while len(self._pending) >= KEEP:
            self._pending.pop(next(iter(self._pending)))
        pending = Pending(secrets.token_urlsafe(16), owner, name, plan, now + self.ttl)
        self._pending[pending.token] = pending
        return pending

    def get(self, token: str, *, owner: str) -> Pending | None:
        pending = self._pending.get(token)
        if pending is None or pending.owner != owner or pending.expires_at <= self._now():
            return None
        return pending

    def cancel(self, token: str, *, owner: str) -> bool:
        if self.get(token, owner=owner) is None:
            return False
        del self._pending[token]
        return True

    async def publish(self, token: str, *, owner: str) -> Published:
        """Publish the owner's dry run as the set's next version; Stale if it cannot be trusted any more."""
        pending = self.get(token, owner=owner)
        if pending is None:
            raise Stale(token)
        plan = pending.plan
        current = self._app.services.runtime.sets.get(plan.set_name)
        if (current.version if current else None) != plan.current_version:
            del self._pending[token]  # another publication came first: the diff shown is no longer true
            raise Stale(token)
        del self._pending[token]
        return await publish_plan(self._app, plan)

    def _forget_expired(self, now: datetime) -> None:
        for token in [t for t, p in self._pending.items() if p.expires_at <= now]:
            del self._pending[token]


def _plan_bytes(data: bytes, *, name: str, set_name: str, default_topic: str | None, app: App) -> ImportPlan:
    with tempfile.TemporaryDirectory(prefix="cds-import-") as folder:
        given = Path(name).name
        path = Path(folder) / (given if _SAFE_NAME.match(given) else "upload" + Path(name).suffix.lower()[:8])
        path.write_bytes(data)
        return plan_import(path, set_name=set_name, runtime=app.services.runtime, default_topic=default_topic,
                           name=name)


async def publish_plan(application: App, plan: ImportPlan, *,
                       now: Callable[[], datetime] | None = None) -> Published:
    """Store the plan as a new version, serve it at once, and regrade attempts whose key it corrects."""
    clock = now or application.dispatcher.clock
    pub = await publish(application.engine, plan, contest=application.services.runtime.contest.slug, now=clock())
    answers = attempts = 0
    frozen: tuple[str, ...] = ()
    if pub.changed:
        await application.reload()
        if plan.diff.rekeyed:
            answers, attempts = await application.services.regrade(set_name=plan.set_name, questions=plan.questions)
            if answers:
                frozen = tuple(await application.services.closed_rounds_using(plan.set_name))
    return Published(pub, len(plan.diff.rekeyed), answers, attempts, frozen)
