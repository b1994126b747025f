"""Where conversation state lives between events: memory by default, Redis at scale."""
from __future__ import annotations

from typing import Protocol

from quiz.conversation.state import ChatState


class StateStore(Protocol):
    async def get(self, key: str) -> ChatState: ...
    async def set(self, key: str, state: ChatState) -> None: ...


class MemoryStates:
    def __init__(self) -> None:
        self._states: dict[str, str] = {}

    async def get(self, key: str) -> ChatState:
        return ChatState.loads(self._states.get(key))

    async def set(self, key: str, state: ChatState) -> None:
        self._states[key] = state.dumps()


class RedisStates:
    """Shared state for several workers; idle states expire after a week."""

    TTL = 7 * 24 * 3600

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url, decode_responses=True)

    async def get(self, key: str) -> ChatState:
        raw = await self._redis.get(f"cds:state:{key}")  # str: the client decodes responses
        return ChatState.loads(raw if isinstance(raw, str) else None)

    async def set(self, key: str, state: ChatState) -> None:
        await self._redis.set(f"cds:state:{key}", state.dumps(), ex=self.TTL)

    async def close(self) -> None:
        await self._redis.aclose()
