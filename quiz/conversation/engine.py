"""The conversation engine: routes one event in one state to the flow that owns it."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import assert_never

from quiz.attempts import AccountMoved
from quiz.conversation import (
    consent,
    feedback,
    guardian,
    linking,
    personal,
    phones,
    playing,
    reading,
    registration,
    screens,
)
from quiz.conversation.actions import (
    Action,
    Answer,
    CodeAgain,
    Confirm,
    Consent,
    Continue,
    Data,
    DataItem,
    Faq,
    GuardianAgrees,
    Language,
    Leaderboard,
    LinkAskCode,
    LinkConfirm,
    Menu,
    MenuItem,
    PickRound,
    Recover,
    Resume,
    Review,
    RulesSection,
    ShowTip,
    SkipPrediction,
    Submit,
    SubmitConfirmed,
    TipTopics,
    Unit,
    UnitFound,
    UnitPage,
    UnitPick,
)
from quiz.conversation.context import Citizen, Ctx, Elsewhere, Turn, menu, refused, registering, say
from quiz.conversation.messages import Contact, Event, Msg, Outcome, Press, Reply, Start, Text, Unsupported
from quiz.conversation.state import ASKS_CONTACT, ChatState, Step
from quiz.conversation.words import LEAVING, menu_word, plain
from quiz.model import LOCALES
from quiz.people import PURPOSE_CONTEST
from quiz.services.people import PHONE_TAKEN_OVER

MAX_TEXT = 1000
_START_CODE = 64
_ITEMS = {  # typed /commands, by the menu item each one opens
    MenuItem.MAIN: ("start", "menu", "huy", "cancel"), MenuItem.HELP: ("help", "trogiup"),
    MenuItem.RULES: ("thele", "rules"), MenuItem.TIPS: ("meo", "tips"), MenuItem.RESULTS: ("ketqua", "results"),
    MenuItem.LEADERBOARD: ("bxh", "leaderboard"), MenuItem.LANGUAGE: ("ngonngu", "language"),
    MenuItem.PLAY: ("thi", "play"), MenuItem.DATA: ("dulieu", "mydata"),
}
COMMANDS: dict[str, Action] = {name: Menu(item) for item, names in _ITEMS.items() for name in names}
_BUTTON_STEPS = frozenset({Step.CONSENT, Step.ERASE_CONFIRM, Step.WITHDRAW_CONFIRM})  # only their buttons answer
_RECOVERING = frozenset({Step.RECOVER_PHONE, Step.RECOVER_CODE})
NOTICES = {PHONE_TAKEN_OVER: Msg("notice.phone_taken_over")}  # what a notice of each kind says


@dataclass(frozen=True, slots=True)
class Who:
    """The account an event came from, as the channel knows it."""

    channel: str
    external_id: str
    language_hint: str | None = None
    address: str | None = None  # the browser's address (the web chat): limits on one-time codes
    page: bool = False  # a web page speaking for the account (the Telegram Mini App): no platform share button


def is_answer(event: Event) -> bool:
    """An answer to a question: the busiest event, which leaves the flow where it was (all but an attempt's
    last) and whose write the database guards."""
    return isinstance(event, Press) and isinstance(event.action, Answer)


def guess_locale(hint: str | None) -> str:
    return "en" if hint and hint.lower().startswith("en") else "vi"


def _may_carry_notices(event: Event) -> bool:
    """Events after which a pending notice is shown: opening the chat, typing, the menu (not an answer's
    tap, whose path stays short)."""
    return isinstance(event, (Start, Text)) or (isinstance(event, Press) and isinstance(event.action, Menu))


class Conversation:
    def __init__(self, services: Citizen) -> None:
        self.services = services

    async def handle(self, who: Who, state: ChatState, event: Event, *, now: datetime,
                     public: bool = False) -> tuple[ChatState, Outcome, str]:
        """Apply `event`; return the new state, the replies and the locale to render them in.

        `public` (a group chat) reads without moving the citizen's own flow: the state comes back as it was,
        apart from what reading remembers. An answer's tap, the busiest event, may use the account as this
        worker last read it: the answer's write checks it (AccountMoved: read it again and start over)."""
        answering = is_answer(event)
        try:
            return await self._handle(who, state, event, now=now, public=public, remembered=answering)
        except AccountMoved:
            return await self._handle(who, state, event, now=now, public=public, remembered=False)

    async def _handle(self, who: Who, state: ChatState, event: Event, *, now: datetime, public: bool,
                      remembered: bool) -> tuple[ChatState, Outcome, str]:
        account = await self.services.people.account(channel=who.channel, external_id=who.external_id,
                                                     locale=guess_locale(who.language_hint), now=now,
                                                     remembered=remembered)
        locale = account.locale or guess_locale(who.language_hint)
        ctx = Ctx(self.services, account, state, now, locale, public, who.address, who.page)
        try:
            new_state, outcome = await self._route(ctx, event)
        except Elsewhere as elsewhere:  # a press that no longer applies: the screen the citizen is really on
            new_state, outcome = await screens.current(ctx)
            outcome = replace(outcome, stale=True, toast=elsewhere.toast or Msg("toast.stale"))
        if public:
            new_state = state.remembering(new_state)
        else:
            if _may_carry_notices(event):
                outcome = await self._with_notices(ctx, outcome)
            if state.step in ASKS_CONTACT and not any(r.request_contact for r in outcome.replies):
                outcome = replace(outcome, closes_contact=True)  # from the state, whichever worker showed it
        switching = event.action if isinstance(event, Press) else menu_word(event.text) \
            if isinstance(event, Text) else None
        if isinstance(switching, Language):  # the language the account has now, whether or not it switched
            account = await self.services.people.account(channel=who.channel, external_id=who.external_id,
                                                         locale=locale, now=now)
            locale = account.locale or locale
        return new_state, outcome, locale

    async def _with_notices(self, ctx: Ctx, outcome: Outcome) -> Outcome:
        """What the citizen must be told before anything else (their number taken over by its owner)."""
        kinds = await self.services.people.notices(account_id=ctx.account.id, now=ctx.now)
        if not kinds:
            return outcome
        told = tuple(NOTICES[kind] for kind in kinds if kind in NOTICES)
        return replace(outcome, replies=(Reply(told), *outcome.replies)) if told else outcome

    async def _route(self, ctx: Ctx, event: Event) -> Turn:
        if isinstance(event, Start):
            return await self._start(ctx, event.payload)
        if isinstance(event, Unsupported):
            return await screens.current(ctx, note=Msg("hint.unsupported"))
        if isinstance(event, Contact):
            if ctx.state.step in phones.PROVING and ctx.registered:
                return await phones.on_prove_input(ctx, event)
            return await registration.on_input(ctx, event)
        if isinstance(event, Press):
            return await self._press(ctx, event.action)
        return await self._text(ctx, event)

    async def _start(self, ctx: Ctx, payload: str | None) -> Turn:
        """Opening the chat (a start, a reload, a new tab, a greeting): carry on where the citizen is."""
        code = (payload or "").strip()[:_START_CODE] or None
        if code is not None:
            ctx = ctx.with_state(ctx.state.at(ctx.state.step, start_code=code))
        if registering(ctx):
            return registration.reask(ctx, again=True)
        if ctx.state.step in _RECOVERING and not ctx.registered:
            return phones.ask_recovery_phone(ctx)
        if ctx.registered:
            att = await playing.open_attempt(ctx)
            if att is not None:
                return await playing.resume_prompt(ctx, att)
            if await playing.just_ended(ctx) is not None:
                return await screens.current(ctx)
            return menu(ctx, Msg("start.welcome_back", title=ctx.runtime.contest.title), *playing.welcome_notes(ctx))
        consents = await ctx.people.consents(account_id=ctx.account.id)
        if consents.get(PURPOSE_CONTEST):
            if ctx.state.step is Step.CONSENT:
                return consent.reask(ctx)
            return registration.ask_name(ctx)
        return consent.ask_contest_consent(ctx, *playing.welcome_notes(ctx))

    async def _text(self, ctx: Ctx, event: Text) -> Turn:
        text = event.text.strip()
        if not text:
            return ctx.state, say(Msg("hint.empty"))
        if len(text) > MAX_TEXT:
            return ctx.state, say(Msg("error.too_long", limit=MAX_TEXT, length=len(text)))
        if text.startswith("/"):
            return await self._command(ctx, text)
        word, step = menu_word(text), ctx.state.step
        reading_aside = word is not None and word.public and step in _BUTTON_STEPS | {Step.PREDICT}
        if word is not None and (step is Step.IDLE or plain(text) in LEAVING or reading_aside):
            return await self._press(ctx, word)
        if word == Menu(MenuItem.JOIN):  # "xin chào" in the middle of something: carry on with it
            return await self._start(ctx, None)
        if step in guardian.STEPS and ctx.registered:  # a guardian's consent given after registering
            return await guardian.on_text(ctx, text)
        if step in _RECOVERING and not ctx.registered:
            return await phones.on_recovery_text(ctx, text)
        if step in phones.PROVING and ctx.registered:
            return await phones.on_prove_input(ctx, Text(text))
        if registering(ctx):
            return await registration.on_input(ctx, Text(text))
        if step in (Step.PLAYING, Step.PREDICT):
            att = await playing.open_attempt(ctx)
            if att is None:
                return await screens.current(ctx)
            if step is Step.PREDICT:
                return await playing.on_prediction(ctx, text, att.id)
            return await playing.on_typed(ctx, att, text)
        if step is Step.LINK_CODE or step is Step.LINK_CONFIRM:
            return await linking.on_code(ctx, text)
        if step is Step.CONSENT:
            answered = await consent.on_text(ctx, text)
            return answered if answered is not None else consent.press_a_button(ctx)
        if step in _BUTTON_STEPS:
            return await screens.current(ctx, note=Msg("hint.erase"))
        if word is not None:
            return await self._press(ctx, word)
        if ctx.registered and (playing.typed_letter(text) or playing.typed_number(text) is not None):
            att = await playing.open_attempt(ctx)  # the conversation forgot (a restart): the attempt did not
            if att is not None:
                return await playing.on_typed(ctx, att, text)
        return reading.free_text(ctx, text)

    async def _command(self, ctx: Ctx, text: str) -> Turn:
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

    async def _press(self, ctx: Ctx, action: Action) -> Turn:
        match action:
            case Menu(item=item):
                return await self._menu_item(ctx, item)
            case Consent(purpose=purpose, yes=yes):
                return await consent.on_consent(ctx, purpose, yes)
            case Unit() | UnitPick() | UnitPage() | UnitFound():
                return await registration.on_unit_press(ctx, action)
            case Confirm(ok=ok):
                return await registration.on_confirm(ctx, ok)
            case PickRound(code=code):
                return await playing.play(ctx, code)
            case Answer():
                return await playing.on_answer(ctx, action)
            case Submit(attempt=attempt):
                return await playing.on_submit(ctx, attempt)
            case SubmitConfirmed(attempt=attempt):
                return await playing.on_submit_confirmed(ctx, attempt)
            case Resume(attempt=attempt):
                return await playing.on_resume(ctx, attempt)
            case Continue():
                return await screens.current(ctx)
            case SkipPrediction(attempt=attempt):
                return await playing.on_prediction(ctx, None, attempt)
            case Review(attempt=attempt, page=page):
                return await feedback.review(ctx, attempt, page)
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
                return await self._language(ctx, code)
            case Data(item=item):
                return await self._data(ctx, item)
            case LinkAskCode() | LinkConfirm():
                return await linking.on_press(ctx, action)
            case GuardianAgrees(yes=yes):
                return await guardian.on_agreement(ctx, yes)
            case CodeAgain():
                if ctx.state.step is Step.REG_GUARDIAN_CODE:
                    return await guardian.send_again(ctx)
                return await phones.on_code_again(ctx)
            case Recover():
                return await phones.on_recover(ctx)
        playing.stale(ctx, action)
        return refused(await screens.current(ctx))

    async def _language(self, ctx: Ctx, code: str) -> Turn:
        """Switch language and show the same screen again in it: a question keeps its keys and countdown."""
        await ctx.people.set_locale(account_id=ctx.account.id, locale=code)
        switched = ctx.with_locale(code)
        if ctx.public or ctx.state.step is Step.IDLE:
            return menu(switched, Msg("language.done"))
        state, outcome = await screens.current(switched)
        return state, replace(outcome, toast=Msg("language.done"))

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
            case DataItem.PRIZES_OFF:
                return await personal.prizes_off(ctx)
            case DataItem.WITHDRAW:
                return personal.confirm_withdraw(ctx)
            case DataItem.WITHDRAW_CONFIRMED:
                return await personal.withdraw(ctx)
            case DataItem.GUARDIAN:
                return guardian.start_for_registered(ctx)
            case DataItem.PROVE:
                return await phones.on_prove(ctx)
            case DataItem.PROVE_REPLACE:
                return await phones.replace_typed(ctx)
            case DataItem.PROVE_OTHER:
                return await phones.ask_other_number(ctx)
        assert_never(item)
