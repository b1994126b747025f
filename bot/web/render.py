"""The engine's outcome as the JSON the web page draws: translated text, buttons, progress."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.dispatch import Handled
from bot.i18n import Translator
from quiz.conversation.actions import Resume, encode
from quiz.conversation.messages import Progress, Reply


def render_outcome(handled: Handled, translator: Translator, *, title: str, now: datetime) -> dict[str, Any]:
    """What the page needs for one exchange; `now` lets it correct for a wrong client clock."""
    locale, outcome = handled.locale, handled.outcome
    toast = outcome.toast
    return {
        "locale": locale,
        "title": title,
        "now": now.isoformat(),
        "toast": translator.text(toast, locale) if toast is not None else None,
        "replies": [render_reply(reply, translator, locale) for reply in outcome.replies],
        "stale": outcome.stale,  # the pressed keys no longer apply
        "chosen": encode(outcome.chosen) if outcome.chosen is not None else None,  # what is stored, to mark
    }


def render_reply(reply: Reply, translator: Translator, locale: str) -> dict[str, Any]:
    return {
        "parts": [translator.text(part, locale) for part in reply.parts],
        "buttons": [[{"label": translator.text(b.label, locale), "action": encode(b.action)} for b in row]
                    for row in reply.buttons],
        "replace": reply.replace,
        "request_contact": reply.request_contact,
        "progress": render_progress(reply.progress) if reply.progress is not None else None,
    }


def render_progress(progress: Progress) -> dict[str, Any]:
    """Where the attempt is; `resume` is what the page sends when its countdown ends, to learn the result."""
    return {"position": progress.position, "total": progress.total, "deadline": progress.deadline.isoformat(),
            "resume": encode(Resume(progress.attempt)) if progress.attempt else None}
