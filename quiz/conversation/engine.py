"""The conversation engine: routes one event in one state to the flow that owns it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import assert_never

from quiz.conversation import consent, linking, personal, playing, reading, registration
from quiz.conversation.actions import (
    Action,
    Answer,
    Confirm,
    Consent,
    Data,
    DataItem,
    Faq,
    Language,
    Leaderboard,
    LinkAskCode,
    LinkConfirm,
    Menu,
    MenuItem,
    PickRound,
    RulesSection,
    ShowTip,
    SkipPrediction,
    Submit,
    TipTopics,
    Unit,
    UnitPage,
    UnitPick,
)
from quiz.conversation.context import Citizen, Ctx, Turn, menu, menu_buttons, say
from quiz.conversation.messages import Contact, Event, Msg, Outcome, Press, Start, Text, Unsupported
from quiz.conversation.state import ChatState, Step
from quiz.model import LOCALES
from quiz.people import PURPOSE_CONTEST

MAX_TEXT = 1000
_START_CODE = 64
_ITEMS = {  # typed /commands, by the menu item each one opens
    MenuItem.MAIN: ("start", "menu", "huy", "cancel"), MenuItem.HELP: ("help", "trogiup"),
    MenuItem.RULES: ("thele", "rules"), MenuItem.TIPS: ("meo", "tips"), MenuItem.RESULTS: ("ketqua", "results"),
    MenuItem.LEADERBOARD: ("bxh", "leaderboard"), MenuItem.LANGUAGE: ("ngonngu", "language"),
    MenuItem.PLAY: ("thi", "play"), MenuItem.DATA: ("dulieu", "mydata"),
}
COMMANDS: dict[str, Action] = {name: Menu(item) for item, names in _ITEMS.items() for name in names}
_REGISTERING = frozenset({Step.REG_NAME, Step.REG_YEAR, Step.REG_PHONE, Step.REG_UNIT, Step.REG_CONFIRM})


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
        if isinstance(event, Press) and isinstance(event.action, Language) and event.action.code in LOCALES:
            locale = event.action.code
        return new_state, outcome, locale

    async def _route(self, ctx: Ctx, event: Event) -> Turn:
        if isinstance(event, Start):
            return await self._start(ctx, event.payload)
        if isinstance(event, Unsupported):
            return ctx.state, say(Msg("hint.unsupported"), buttons=menu_buttons(ctx))
        if isinstance(event, Contact):
            return await registration.on_input(ctx, event)
        if isinstance(event, Press):
            return await self._press(ctx, event.action)
        return await self._text(ctx, event)

    async def _start(self, ctx: Ctx, payload: str | None) -> Turn:
        code = (payload or "").strip()[:_START_CODE] or None
        state = ctx.state.idle() if code is None else ChatState(Step.IDLE, {"start_code": code})
        ctx = Ctx(ctx.services, ctx.account, state, ctx.now, ctx.locale)
        if ctx.registered:
            return menu(ctx, Msg("start.welcome_back", title=ctx.runtime.contest.title))
        consents = await ctx.people.consents(account_id=ctx.account.id)
        if consents.get(PURPOSE_CONTEST):
            return registration.ask_name(ctx)
        return consent.ask_contest_consent(ctx)

    async def _text(self, ctx: Ctx, event: Text) -> Turn:
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
        if step == Step.PLAYING:
            return await playing.on_typed_answer(ctx, text)
        if step == Step.LINK_CODE:
            return await linking.on_code(ctx, text)
        if step == Step.PREDICT and isinstance(ctx.state.data.get("attempt"), int):
            return await playing.on_prediction(ctx, text, int(ctx.state.data["attempt"]))
        return reading.free_text(ctx, text)

    async def _press(self, ctx: Ctx, action: Action) -> Turn:
        match action:
            case Menu(item=item):
                return await self._menu_item(ctx, item)
            case Consent(purpose=purpose, yes=yes):
                return await consent.on_consent(ctx, purpose, yes)
            case Unit() | UnitPick() | UnitPage():
                return await registration.on_unit_press(ctx, action)
            case Confirm(ok=ok):
                return await registration.on_confirm(ctx, ok)
            case PickRound(code=code):
                return await playing.play(ctx, code)
            case Answer():
                return await playing.on_answer(ctx, action)
            case Submit(attempt=attempt):
                return await playing.on_submit(ctx, attempt)
            case SkipPrediction(attempt=attempt):
                return await playing.on_prediction(ctx, None, attempt)
            case RulesSection(id=section):
                return reading.rules_section(ctx, section)
            case TipTopics():
                return reading.tip_topics(ctx)
            case ShowTip(topic=topic):
                return reading.tip(ctx, topic)
            case Faq(id=entry):
                return reading.faq_answer(ctx, entry)
            case Leaderboard(round=code):
                return await reading.leaderboard(ctx, code)
            case Language(code=code) if code in LOCALES:
                await ctx.people.set_locale(account_id=ctx.account.id, locale=code)
                return menu(Ctx(ctx.services, ctx.account, ctx.state, ctx.now, code), Msg("language.done"))
            case Data(item=item):
                return await self._data(ctx, item)
            case LinkAskCode() | LinkConfirm():
                return await linking.on_press(ctx, action)
        return playing.stale(ctx, action)

    async def _menu_item(self, ctx: Ctx, item: MenuItem) -> Turn:
        match item:
            case MenuItem.MAIN:
                return menu(ctx)
            case MenuItem.PLAY:
                return await playing.play(ctx)
            case MenuItem.JOIN:
                return await self._start(ctx, ctx.state.data.get("start_code"))
            case MenuItem.RULES:
                return reading.rules_index(ctx)
            case MenuItem.TIPS:
                return reading.tip(ctx)
            case MenuItem.RESULTS:
                return await personal.my_results(ctx)
            case MenuItem.LEADERBOARD:
                return await reading.leaderboard(ctx)
            case MenuItem.LANGUAGE:
                return reading.language(ctx)
            case MenuItem.HELP:
                return reading.help_(ctx)
            case MenuItem.DATA:
                return await personal.my_data(ctx)
        assert_never(item)

    async def _data(self, ctx: Ctx, item: DataItem) -> Turn:
        match item:
            case DataItem.ERASE:
                return personal.confirm_erase(ctx)
            case DataItem.ERASE_CONFIRMED:
                return await personal.erase(ctx)
            case DataItem.UNIT:
                return personal.choose_new_unit(ctx)
            case DataItem.NEWS_OFF:
                return await personal.news_off(ctx)
            case DataItem.LINK:
                return await linking.offer(ctx)
        assert_never(item)
