"""How many new web-chat identities one network address may open in a while.

Each browser without a cookie gets a new identity (and an account row once it speaks),
so a script could create them without end. A school lab behind one address must still
get in, hence a generous limit per address rather than none at all. The count is kept where
conversation states are (bot.state: Redis with several workers), so it holds for the service, not
per worker."""
from __future__ import annotations

from bot.state import StateStore


class NewChatLimiter:
    def __init__(self, states: StateStore, *, limit: int, window_s: float) -> None:
        self.states, self.limit, self.window_s = states, limit, window_s

    async def allow(self, address: str) -> bool:
        """Count one new identity for `address`; False when it has had `limit` in the window."""
        return await self.states.admit(f"new-chats:{address}", limit=self.limit, window_s=self.window_s)
