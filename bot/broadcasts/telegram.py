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
    """Messages citizens in their private chat; the Sender keeps to ~30 messages/s overall and
    honours "retry after", so broadcasts and replies to citizens share one budget."""

    def __init__(self, sender: Sender) -> None:
        self.sender = sender

    def unreachable(self, recipient: Recipient, now: datetime) -> str | None:
        return None

    async def send(self, recipient: Recipient, text: str) -> Delivery:
        try:
            await self.sender.call(SendMessage(chat_id=int(recipient.external_id), text=text))
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
