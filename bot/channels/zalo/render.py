"""Engine replies as Zalo messages: text within Zalo's limits, at most five quick replies a message,
further choices as numbers to type, and the shared-information form where a phone number is asked."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.channels.zalo.api import Message, buttons_message, open_url, quick_reply, text_message, user_info_request
from bot.channels.zalo.choices import Choice, Offer
from bot.i18n import Translator
from quiz.conversation.actions import WebPage
from quiz.conversation.messages import Button, Msg, Outcome

TEXT_LIMIT = 2000  # characters in a Zalo text message
BUTTON_TEXT_LIMIT = 640  # text above buttons, kept short: a longer reply goes first as text
MAX_BUTTONS = 5  # buttons on one message
TITLE_LIMIT = 100  # characters on a button
PAYLOAD_LIMIT = 1000  # characters a quick reply sends back
MORE = Msg("zalo.more_choices")
CHOOSE = Msg("zalo.choose")
INFO_TITLE, INFO_SUBTITLE = Msg("zalo.info_title"), Msg("zalo.info_subtitle")
Json = dict[str, Any]


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut between paragraphs, else lines, else words."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = next((i for sep in ("\n\n", "\n", " ") if (i := text.rfind(sep, 0, limit + 1)) > 0), limit)
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*pieces, text] if text else pieces


def _title(label: str) -> str:
    return label if len(label) <= TITLE_LIMIT else label[:TITLE_LIMIT - 1] + "…"


@dataclass(frozen=True, slots=True)
class Rendered:
    messages: tuple[Message, ...]
    offer: Offer | None  # None: nothing new was shown, the earlier choices still stand


class Renderer:
    def __init__(self, translator: Translator, *, info_image_url: str | None = None) -> None:
        self.translator, self.info_image_url = translator, info_image_url

    def render(self, outcome: Outcome, locale: str) -> Rendered:
        t = self.translator
        toast = f"✓ {t.text(outcome.toast, locale)}" if outcome.toast is not None else None
        if not outcome.replies:
            return Rendered((text_message(toast),) if toast else (), None)
        messages: list[Message] = []
        choices: list[Choice] = []
        numbered = False
        for i, reply in enumerate(outcome.replies):
            body = "\n\n".join(t.text(part, locale) for part in reply.parts)
            if i == 0 and toast:
                body = f"{toast}\n\n{body}"
            quick, listed = self._buttons([b for row in reply.buttons for b in row], choices, locale)
            numbered = numbered or bool(listed)
            messages += self._pack(body, quick, listed, locale)
            if reply.request_contact:
                messages.append(user_info_request(t.text(INFO_TITLE, locale), t.text(INFO_SUBTITLE, locale),
                                                  self.info_image_url))
        return Rendered(tuple(messages), Offer(tuple(choices), numbered))

    def _buttons(self, buttons: list[Button], choices: list[Choice], locale: str) -> tuple[list[Json], list[str]]:
        """The first five as buttons, the rest as numbered lines; each choice remembered under its payload."""
        quick: list[Json] = []
        listed: list[str] = []
        for b in buttons:
            label = self.translator.text(b.label, locale)
            if isinstance(b.action, WebPage):  # a link opens in Zalo; it cannot be typed
                if len(quick) < MAX_BUTTONS:
                    quick.append(open_url(_title(label), b.action.url))
                continue
            payload = label[:PAYLOAD_LIMIT]
            if payload in {c.payload for c in choices}:  # the same label twice: tell them apart
                payload = f"{label[:PAYLOAD_LIMIT - 8]} ({len(choices) + 1})"
            choices.append(Choice(payload, b.action))
            if len(quick) < MAX_BUTTONS:
                quick.append(quick_reply(_title(label), payload))
            else:
                listed.append(f"{len(choices)}. {label}")
        return quick, listed

    def _pack(self, body: str, quick: list[Json], listed: list[str], locale: str) -> list[Message]:
        extra = "\n".join([self.translator.text(MORE, locale), *listed]) if listed else ""
        if not quick:
            return [text_message(piece) for piece in split_text(body)]
        full = f"{body}\n\n{extra}" if extra else body
        if len(full) <= BUTTON_TEXT_LIMIT:
            return [buttons_message(full, quick)]
        # Too long to sit above the buttons: the reply goes first, then the buttons under its last paragraph
        # (the question they answer) when that fits, else under a caption.
        head, _, question = body.rpartition("\n\n")
        asked = f"{question}\n\n{extra}" if extra else question
        if head and len(asked) <= BUTTON_TEXT_LIMIT:
            return [*(text_message(piece) for piece in split_text(head)), buttons_message(asked, quick)]
        caption = extra or self.translator.text(CHOOSE, locale)
        texts = split_text(body)
        if len(caption) > BUTTON_TEXT_LIMIT:
            texts, caption = split_text(full), self.translator.text(CHOOSE, locale)
        return [*(text_message(piece) for piece in texts), buttons_message(caption, quick)]
