"""Consent per purpose, each asked on its own and none answered beforehand, before any personal data:
taking part and being ranked; being contacted about a prize; news. Then registration starts.

The notice names the organiser as the controller of the data, says what is kept, why, on what basis,
for how long, and the citizen's rights and how to use them (Decree 13/2023/NĐ-CP, Law 91/2025/QH15).
Withdrawing the consent to take part is an action of its own under "Dữ liệu của tôi", never a side
effect of an old button."""
from __future__ import annotations

from quiz.conversation import phones
from quiz.conversation.actions import Consent, Data, DataItem, Recover
from quiz.conversation.context import Ctx, Elsewhere, Turn, back_to_menu, button, menu, registering, say
from quiz.conversation.messages import Button, Msg, Outcome, Reply
from quiz.conversation.registration import ask_name
from quiz.conversation.state import Step
from quiz.identity import GUARDIAN_UNDER
from quiz.people import PURPOSE_CONTEST, PURPOSE_NEWS, PURPOSE_PRIZES
from quiz.retention import data_deleted_at
from quiz.text import fold

ASKING = "asking"  # state data: which purpose the question on screen is about
ORDER = (PURPOSE_CONTEST, PURPOSE_PRIZES, PURPOSE_NEWS)  # the order they are asked in
# Typed answers to the question on screen: each is as explicit as the button it stands for.
_YES = {PURPOSE_CONTEST: frozenset({"toi dong y", "dong y", "i agree", "agree"}),
        PURPOSE_PRIZES: frozenset({"co", "dong y", "yes", "i agree", "agree"}),
        PURPOSE_NEWS: frozenset({"co", "co gui cho toi", "yes", "yes please", "dong y"})}
_NO = {PURPOSE_CONTEST: frozenset({"khong dong y", "toi khong dong y", "khong", "i do not agree", "no"}),
       PURPOSE_PRIZES: frozenset({"khong", "khong dong y", "no", "no thanks"}),
       PURPOSE_NEWS: frozenset({"khong", "khong cam on", "no", "no thanks", "no thank you"})}
_BUTTONS = {PURPOSE_CONTEST: ("consent.agree", "consent.refuse"),
            PURPOSE_PRIZES: ("consent.prizes_yes", "consent.prizes_no"),
            PURPOSE_NEWS: ("consent.news_yes", "consent.news_no")}


def _choices(purpose: str) -> tuple[Button, Button]:
    yes, no = _BUTTONS[purpose]
    return button(yes, Consent(purpose, yes=True)), button(no, Consent(purpose, yes=False))


def deletion(ctx: Ctx) -> Msg:
    """When the citizen's personal data is deleted (quiz.retention): a date once the last round's close is
    known; after that date (practice after the contest), as long after registering."""
    contest = ctx.runtime.contest
    deleted = data_deleted_at(contest)
    if deleted is None:
        return Msg("consent.deleted_after", days=contest.data_kept_days)
    if deleted > ctx.now:
        return Msg("consent.deleted_on", date=deleted.astimezone(ctx.runtime.tz).date())
    return Msg("consent.deleted_after_registering", days=contest.data_kept_days)


def notice(ctx: Ctx) -> Msg:
    """The personal-data notice, with this contest's controller and when its data is deleted."""
    contest = ctx.runtime.contest
    return Msg("consent.contest", title=contest.title, organiser=contest.organiser, when=deletion(ctx),
               age=GUARDIAN_UNDER)


def ask_contest_consent(ctx: Ctx, *lead: Msg) -> Turn:
    rows: tuple[tuple[Button, ...], ...] = (_choices(PURPOSE_CONTEST),)
    if phones.proves_by_code(ctx):  # a citizen registered in another browser carries on here instead
        rows += ((button("recover.start", Recover()),),)
    return ctx.state.at(Step.CONSENT, **{ASKING: PURPOSE_CONTEST}), say(
        Msg("start.welcome", title=ctx.runtime.contest.title), *lead, notice(ctx), buttons=rows)


def ask(ctx: Ctx, purpose: str) -> Turn:
    """The question about `purpose` (prizes or news), with its two buttons, neither chosen."""
    question = Msg("consent.prizes_question") if purpose == PURPOSE_PRIZES else Msg("consent.news_question")
    return ctx.state.at(Step.CONSENT, **{ASKING: purpose}), say(question, buttons=(_choices(purpose),))


def reask(ctx: Ctx) -> Turn:
    """The consent question on screen, asked again."""
    purpose = ctx.state.data.get(ASKING)
    return ask(ctx, purpose) if purpose in (PURPOSE_PRIZES, PURPOSE_NEWS) else ask_contest_consent(ctx)


async def on_text(ctx: Ctx, text: str) -> Turn | None:
    """A typed answer to the question on screen ("đồng ý", "không"); None when the text is no answer."""
    purpose = ctx.state.data.get(ASKING, PURPOSE_CONTEST)
    said = " ".join(fold(text).replace(",", " ").replace(".", " ").split())
    if purpose in _YES and said in _YES[purpose]:
        return await on_consent(ctx, purpose, True)
    if purpose in _NO and said in _NO[purpose]:
        return await on_consent(ctx, purpose, False)
    return None


def press_a_button(ctx: Ctx) -> Turn:
    """Text that answers nothing on screen: say which buttons answer it, and show them again."""
    state, outcome = reask(ctx)
    asking = state.data.get(ASKING)
    hint = Msg("hint.consent") if asking not in (PURPOSE_PRIZES, PURPOSE_NEWS) else Msg("hint.yes_no")
    return state, Outcome((Reply((hint,)), *outcome.replies))


async def on_consent(ctx: Ctx, purpose: str, granted: bool) -> Turn:
    if purpose not in ORDER:
        raise Elsewhere()
    if ctx.registered and purpose == PURPOSE_CONTEST and not granted:
        # an old "Không đồng ý" under the notice: withdrawing is an action of its own, explained first
        return ctx.state.idle(), say(Msg("consent.registered_refuse"), buttons=(
            (button("data.withdraw", Data(DataItem.WITHDRAW)),), back_to_menu()))
    await ctx.people.consent(account_id=ctx.account.id, purpose=purpose, granted=granted, now=ctx.now)
    if purpose == PURPOSE_CONTEST and not granted:
        return menu(ctx, Msg("consent.refused"), toast=Msg("toast.saved"))
    if ctx.state.step is not Step.CONSENT and registering(ctx):
        # an old "Tôi đồng ý" or "Có, gửi cho tôi" tapped in the middle of registering: carry on from there
        raise Elsewhere(Msg("toast.saved"))
    if ctx.registered:
        saved = {PURPOSE_NEWS: Msg("consent.news_saved"), PURPOSE_PRIZES: Msg("consent.prizes_saved")}.get(purpose)
        return menu(ctx, *((saved,) if saved else ()), toast=Msg("toast.saved"))
    following = ORDER[ORDER.index(purpose) + 1:]
    if following:
        return ask(ctx, following[0])
    return ask_name(ctx)
