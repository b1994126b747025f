"""The contest as this worker serves it, and how it follows changes made anywhere."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from quiz.ports import UowFactory
from quiz.runtime import ContestRuntime

log = logging.getLogger(__name__)


class RuntimeSource(Protocol):
    async def load(self) -> ContestRuntime:
        """The contest as storage holds it now: settings, every set version, content, and the revision
    they were read at (read first, so the content is never older than the revision)."""
        ...


class LiveContest:
    """The one owner of the served contest. A publication or a round change bumps the contest's
    revision in the same transaction; `follow` reloads when storage holds a newer one, so every
    worker serves the change, and `reload` lets listeners (caches) drop what depended on it."""

    def __init__(self, runtime: ContestRuntime, *, source: RuntimeSource, read: UowFactory) -> None:
        self._runtime, self._source, self._read = runtime, source, read
        self._listeners: list[Callable[[], None]] = []

    @property
    def runtime(self) -> ContestRuntime:
        return self._runtime

    @property
    def revision(self) -> int:
        return self._runtime.revision

    def on_reload(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    async def stored_revision(self) -> int:
        async with self._read() as uow:
            return await uow.revision.current()

    async def reload(self) -> None:
        """Serve what storage holds now."""
        self._runtime = await self._source.load()
        for listener in self._listeners:
            listener()

    async def follow(self) -> bool:
        """Reload if another worker (or the CLI) changed the contest since; True if it did."""
        if await self.stored_revision() == self.revision:
            return False
        await self.reload()
        log.info("contest reloaded at revision %s", self.revision)
        return True
