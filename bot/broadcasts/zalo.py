"""Broadcasts on Zalo OA: only inside the 48-hour window after the citizen last wrote.

The window is the Zalo channel's own rule (bot.channels.zalo.window.can_message); recipients
outside it are skipped with the reason "zalo_window", which the broadcast page counts. The
service connects `ZaloOutlet(send=...)` once the Zalo channel runs."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.broadcasts.runner import Delivery
from bot.channels.zalo.window import can_message
from quiz.broadcasts import FAILED, SENT, Recipient

log = logging.getLogger(__name__)
OUTSIDE_WINDOW = "zalo_window"


class ZaloOutlet:
    def __init__(self, *, send: Callable[[str, str], Awaitable[object]],
                 can_message: Callable[[Recipient, datetime], bool] = can_message) -> None:
        """`send(user_id, text)` delivers one text or raises once it finally cannot."""
        self._send, self._can_message = send, can_message

    def unreachable(self, recipient: Recipient, now: datetime) -> str | None:
        return None if self._can_message(recipient, now) else OUTSIDE_WINDOW

    async def send(self, recipient: Recipient, text: str) -> Delivery:
        try:
            await self._send(recipient.external_id, text)
        except Exception as exc:  # noqa: BLE001 - one citizen's failure must not stop the broadcast
            log.warning("broadcast: zalo user %s not reached: %s", recipient.external_id, exc)
            return Delivery(FAILED, "error")
        return Delivery(SENT)
