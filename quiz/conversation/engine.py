"""The conversation engine: routes one event in one state to the flow that owns it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from quiz.conversation import consent, linking, personal, playing, reading, registration
from quiz.conversation.context import Citizen, Ctx, Step, menu, menu_buttons, say
from quiz.conversation.messages import Contact, Event, Msg, Outcome, Press, Start, Text, Unsupported
from quiz.conversation.state import ChatState
from quiz.model import LOCALES
from quiz.people import PURPOSE_CONTEST

MAX_TEXT = 1000
_START_CODE = 64
COMMANDS = {
    "start": "m", "menu": "m", "huy": "m", "cancel": "m", "help": "m:help", "trogiup": "m:help",
    "thele": "m:rules", "rules": "m:rules", "meo": "m:tips", "tips": "m:tips", "ketqua": "m:res",
    "results": "m:res", "bxh": "m:lb", "leaderboard": "m:lb", "ngonngu": "m:lang", "language": "m:lang",
    "thi": "m:play", "play": "m:play", "dulieu": "m:data", "mydata": "m:data",
}
_REGISTERING = ("reg_name", "reg_year", "reg_phone", "reg_unit", "reg_confirm")


@dataclass(frozen=True, slots=True)
class Who:
    """The account an event came from, as the channel knows it."""

    channel: str
    external_id: str
    language_hint: str | None = None


def guess_locale(hint: str | None) -> str:
    return "en" if hint and hint.lower().startswith("en") else "vi"


class Conversation:
    def __init__(self, services: Citizen) -> None:
        self.services = services

    async def handle(self, who: Who, state: ChatState, event: Event, *, now: datetime) -> tuple[ChatState, Outcome,
                                                                                                str]:
        """Apply `event`; return the new state, the replies and the locale to render them in."""
        account = await self.services.people.account(channel=who.channel, external_id=who.external_id,
                                              locale=guess_locale(who.language_hint), now=now)
        locale = account.locale or guess_locale(who.language_hint)
        ctx = Ctx(self.services, account, state, now, locale)
        new_state, outcome = await self._route(ctx, event)
        if isinstance(event, Press) and event.action.startswith("l:") and event.action[2:] in LOCALES:
            locale = event.action[2:]
        return new_state, outcome, locale

    async def _route(self, ctx: Ctx, event: Event) -> Step:
        if isinstance(event, Start):
            return await self._start(ctx, event.payload)
        if isinstance(event, Unsupported):
            return ctx.state, say(Msg("hint.unsupported"), buttons=menu_buttons(ctx))
        if isinstance(event, Contact):
            return await registration.on_input(ctx, event)
        if isinstance(event, Press):
            return await self._press(ctx, event.action)
        return await self._text(ctx, event)

    async def _start(self, ctx: Ctx, payload: str | None) -> Step:
        code = (payload or "").strip()[:_START_CODE] or None
        state = ctx.state.idle() if code is None else ChatState("idle", {"start_code": code})
        ctx = Ctx(ctx.services, ctx.account, state, ctx.now, ctx.locale)
        if ctx.registered:
            return menu(ctx, Msg("start.welcome_back", title=ctx.runtime.contest.title))
        consents = await ctx.people.consents(account_id=ctx.account.id)
        if consents.get(PURPOSE_CONTEST):
            return registration.ask_name(ctx)
        return consent.ask_contest_consent(ctx)

    async def _text(self, ctx: Ctx, event: Text) -> Step:
        text = event.text.strip()
        if not text:
            return ctx.state, say(Msg("hint.empty"))
        if len(text) > MAX_TEXT:
            return ctx.state, say(Msg("error.too_long", limit=MAX_TEXT))
        if text.startswith("/"):
            name, _, arg = text[1:].partition(" ")
            name = name.split("@")[0].lower()
            if name == "start":
                return await self._start(ctx, arg or None)
            if name in linking.COMMANDS:
                return await linking.command(ctx, arg)
            action = COMMANDS.get(name)
            if action is None:
                return menu(ctx, Msg("error.unknown_command", command=text[:32]))
            return await self._press(ctx, action)
        step = ctx.state.step
        if step in _REGISTERING:
            return await registration.on_input(ctx, Text(text))
        if step == "playing":
            return await playing.on_typed_answer(ctx, text)
        if step == "link_code":
            return await linking.on_code(ctx, text)
        if step == "predict" and isinstance(ctx.state.data.get("attempt"), int):
            return await playing.on_prediction(ctx, text, int(ctx.state.data["attempt"]))
        return reading.free_text(ctx, text)

    async def _press(self, ctx: Ctx, action: str) -> Step:
        kind, _, arg = action.partition(":")
        if kind == "m":
            return await self._menu_item(ctx, arg)
        if kind == "c" and arg.count(":") == 1:
            purpose, answer = arg.split(":")
            return await consent.on_consent(ctx, purpose, answer == "y")
        if kind in ("u", "uk", "up"):
            return await registration.on_unit_press(ctx, action)
        if kind == "r":
            return await registration.on_confirm(ctx, action)
        if kind == "rd":
            return await playing.play(ctx, arg)
        if kind == "a":
            return await playing.on_answer(ctx, action)
        if kind in ("fin", "ps") and arg.isdigit():
            if kind == "ps":
                return await playing.on_prediction(ctx, None, int(arg))
            return await playing.on_submit(ctx, int(arg))
        if kind == "rs":
            return reading.rules_section(ctx, arg)
        if kind == "t":
            return reading.tip_topics(ctx) if arg == "topics" else reading.tip(ctx, None if arg == "rand" else arg)
        if kind == "f":
            return reading.faq_answer(ctx, arg)
        if kind == "lb":
            return await reading.leaderboard(ctx, arg)
        if kind == "l" and arg in LOCALES:
            await ctx.people.set_locale(account_id=ctx.account.id, locale=arg)
            return menu(Ctx(ctx.services, ctx.account, ctx.state, ctx.now, arg), Msg("language.done"))
        if kind == "d":
            return await self._data(ctx, arg)
        if kind == "lk":
            return await linking.on_press(ctx, arg)
        return playing.stale(ctx, action)

    async def _menu_item(self, ctx: Ctx, item: str) -> Step:
        if item == "":
            return menu(ctx)
        if item == "play":
            return await playing.play(ctx)
        if item == "join":
            return await self._start(ctx, ctx.state.data.get("start_code"))
        if item == "rules":
            return reading.rules_index(ctx)
        if item == "tips":
            return reading.tip(ctx)
        if item == "res":
            return await personal.my_results(ctx)
        if item == "lb":
            return await reading.leaderboard(ctx)
        if item == "lang":
            return reading.language(ctx)
        if item == "help":
            return reading.help_(ctx)
        if item == "data":
            return await personal.my_data(ctx)
        return playing.stale(ctx, f"m:{item}")

    async def _data(self, ctx: Ctx, arg: str) -> Step:
        if arg == "erase":
            return personal.confirm_erase(ctx)
        if arg == "erase!":
            return await personal.erase(ctx)
        if arg == "unit":
            return personal.choose_new_unit(ctx)
        if arg == "news_off":
            return await personal.news_off(ctx)
        if arg == "link":
            return await linking.offer(ctx)
        return playing.stale(ctx, f"d:{arg}")

