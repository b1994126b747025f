"""Broadcasts on Telegram: through the channel's one Sender, so they share its pacing."""
from __future__ import annotations

import logging
from datetime import datetime

from aiogram.exceptions import AiogramError, TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.methods import SendMessage

from bot.broadcasts.runner import Delivery
from bot.channels.telegram.sender import Sender
from quiz.broadcasts import FAILED, SENT, Recipient

log = logging.getLogger(__name__)


class TelegramOutlet:
    """Messages citizens in their private chat at the broadcasts' pace (about 30 a second, one budget for
    every worker), honouring "retry after"; replies to citizens are never held to that budget. `paid`: the
    organiser pays Telegram (in Stars) to send beyond it (allow_paid_broadcast), up to 1000 a second."""

    def __init__(self, sender: Sender, *, paid: bool = False) -> None:
        self.sender, self.paid = sender, paid

    def unreachable(self, recipient: Recipient, now: datetime) -> str | None:
        return None

    async def send(self, recipient: Recipient, text: str) -> Delivery:
        try:
            await self.sender.call(SendMessage(chat_id=int(recipient.external_id), text=text,
                                               allow_paid_broadcast=True if self.paid else None), broadcast=True)
        except TelegramForbiddenError:
            return Delivery(FAILED, "blocked")  # the citizen blocked the bot or deleted the account
        except TelegramRetryAfter as exc:
            log.warning("broadcast: telegram chat %s still rate limited after retries: %s", recipient.external_id, exc)
            return Delivery(FAILED, "rate_limited")
        except TelegramBadRequest as exc:
            log.warning("broadcast: telegram chat %s refused: %s", recipient.external_id, exc)
            return Delivery(FAILED, "bad_request")
        except AiogramError as exc:  # network or server trouble after the sender's retries
            log.warning("broadcast: telegram chat %s not reached: %s", recipient.external_id, exc)
            return Delivery(FAILED, "error")
        return Delivery(SENT)
