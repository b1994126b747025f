"""Taking an attempt: choose a round, question k of N, answers, the prediction, the result."""
from __future__ import annotations

import logging

from quiz.attempts import Attempt, CapReached, Verdict
from quiz.conversation.actions import Action, Answer, Menu, PickRound, SkipPrediction, Submit
from quiz.conversation.context import Ctx, Turn, button, menu, say
from quiz.conversation.messages import Button, Msg, Outcome, Progress, Reply
from quiz.conversation.state import Step
from quiz.model import LETTERS
from quiz.services.playing import Result

log = logging.getLogger(__name__)
BAR = 10


def progress_bar(done: int, total: int) -> str:
    filled = round(BAR * done / total) if total else 0
    return "▰" * filled + "▱" * (BAR - filled)


async def play(ctx: Ctx, round_code: str | None = None) -> Turn:
    """Resume an attempt in progress, or start one in the chosen (or only) open round."""
    pid = ctx.account.participant_id
    if pid is None:
        return menu(ctx, Msg("play.register_first"))
    rounds = ctx.play.playable_rounds(ctx.now)
    if round_code is None:
        for r in rounds:
            current = await ctx.play.open_attempt(participant_id=pid, round_code=r.code, now=ctx.now)
            if current is not None:
                return await show_current(ctx, current)
        if len(rounds) != 1:
            if not rounds:
                return menu(ctx, Msg("play.no_round"))
            rows = tuple((Button(Msg("play.round_button_practice", title=r.title) if r.practice
                                 else Msg("play.round_button", title=r.title), PickRound(r.code)),) for r in rounds)
            return ctx.state, say(Msg("play.choose_round"), buttons=rows + ((button("menu.back", Menu()),),))
        round_code = rounds[0].code
    try:
        att = await ctx.play.start_attempt(participant_id=pid, round_code=round_code, now=ctx.now)
    except CapReached as cap:
        limit = Msg("play.cap_round", limit=cap.limit) if cap.per == "round" else Msg("play.cap_day", limit=cap.limit)
        return menu(ctx, limit)
    except LookupError:
        return menu(ctx, Msg("play.round_closed"))
    return await show_current(ctx, att, first=True)


async def show_current(ctx: Ctx, att: Attempt, *, first: bool = False, toast: Msg | None = None) -> Turn:
    """The first unanswered question; the prediction or the result when all are answered."""
    answers = await ctx.play.answers(att.id)
    position = next((i for i in range(len(att.paper)) if i not in answers), None)
    if position is None:
        return await wrap_up(ctx, att, toast=toast)
    return ctx.state.at(Step.PLAYING, attempt=att.id), Outcome((question_reply(ctx, att, position, replace=not first),),
                                                            toast)


async def wrap_up(ctx: Ctx, att: Attempt, *, toast: Msg | None = None) -> Turn:
    """Ask the round's prediction if it is still open, else close the attempt and show the result."""
    round_ = ctx.runtime.contest.round(att.round_code)
    if round_ is not None and round_.prediction and att.accepting(ctx.now) and att.prediction is None:
        return ctx.state.at(Step.PREDICT, attempt=att.id), Outcome((Reply(
            (Msg("play.predict"),), ((button("play.predict_skip", SkipPrediction(att.id)),),), replace=True),), toast)
    return await finish(ctx, att.id, toast=toast)


async def on_submit(ctx: Ctx, attempt_id: int) -> Turn:
    """The citizen hands in early: unanswered questions count as wrong."""
    att = await ctx.play.attempt(attempt_id, now=ctx.now)
    if att is None or att.participant_id != ctx.account.participant_id:
        return stale(ctx, Submit(attempt_id))
    return await wrap_up(ctx, att)


def question_reply(ctx: Ctx, att: Attempt, position: int, *, replace: bool) -> Reply:
    item = att.paper[position]
    q = ctx.runtime.questions(att.set_name, att.set_version)[item.question_id]
    options = tuple(f"{LETTERS[i]}. {q.options[k]}" for i, k in enumerate(item.order))
    total = len(att.paper)
    parts = (Msg("play.question", k=position + 1, n=total, bar=progress_bar(position, total),
                 left=att.time_left(ctx.now), text=q.text, options=options),)
    letters = tuple(Button(Msg("play.option", letter=LETTERS[i]),
                           Answer(att.id, position, i)) for i in range(len(item.order)))
    rows: list[tuple[Button, ...]] = [letters[:3], letters[3:]] if len(letters) > 3 else [letters]
    rows.append((button("play.finish_early", Submit(att.id)),))
    return Reply(parts, tuple(r for r in rows if r), replace=replace,
                 progress=Progress(position + 1, total, att.deadline))


async def on_answer(ctx: Ctx, action: Answer) -> Turn:
    """Every press re-checked against the stored attempt."""
    pid = ctx.account.participant_id
    if pid is None:
        return stale(ctx, action)
    attempt_id = action.attempt
    outcome = await ctx.play.answer(attempt_id=attempt_id, participant_id=pid, position=action.position,
                                    choice=action.choice, now=ctx.now)
    if outcome is None or outcome.verdict in (Verdict.NOT_YOURS, Verdict.NO_SUCH_QUESTION, Verdict.NO_SUCH_OPTION):
        return stale(ctx, action)
    if outcome.verdict in (Verdict.TIME_UP, Verdict.FINISHED):
        late = Msg("toast.time_up") if outcome.verdict is Verdict.TIME_UP else Msg("toast.finished")
        return await finish(ctx, attempt_id, toast=late)
    if outcome.verdict is Verdict.ALREADY_ANSWERED:
        return ctx.state, Outcome((), Msg("toast.already_answered"))
    return await show_current(ctx, outcome.attempt, toast=Msg("toast.saved"))


async def on_typed_answer(ctx: Ctx, text: str) -> Turn:
    """A letter typed during an attempt answers the current question (for text-only channels)."""
    pid, attempt_id = ctx.account.participant_id, ctx.state.data.get("attempt")
    letter = text.strip().upper().rstrip(".)")
    if pid is None or not isinstance(attempt_id, int):
        return menu(ctx)
    att = await ctx.play.attempt(attempt_id, now=ctx.now)
    if att is None or att.participant_id != pid:
        return menu(ctx)
    if len(letter) != 1 or letter not in LETTERS:
        state, outcome = await show_current(ctx, att)
        return state, Outcome((Reply((Msg("play.type_letter"),)), *outcome.replies), outcome.toast)
    answers = await ctx.play.answers(att.id)
    position = next((i for i in range(len(att.paper)) if i not in answers), 0)
    return await on_answer(ctx, Answer(att.id, position, LETTERS.index(letter)))


async def on_prediction(ctx: Ctx, text: str | None, attempt_id: int) -> Turn:
    pid = ctx.account.participant_id
    if pid is None:
        return menu(ctx)
    if text is not None:
        digits = text.strip().replace(".", "").replace(",", "").replace(" ", "")
        if not digits.isdigit() or len(digits) > 9:
            skip = button("play.predict_skip", SkipPrediction(attempt_id))
            return ctx.state, say(Msg("play.predict_bad"), buttons=((skip,),))
        if not await ctx.play.predict(attempt_id=attempt_id, participant_id=pid, prediction=int(digits), now=ctx.now):
            return await finish(ctx, attempt_id, toast=Msg("toast.time_up"))
    return await finish(ctx, attempt_id, toast=Msg("toast.saved"))


async def finish(ctx: Ctx, attempt_id: int, *, toast: Msg | None = None) -> Turn:
    pid = ctx.account.participant_id
    result = await ctx.play.finish(attempt_id=attempt_id, participant_id=pid, now=ctx.now) if pid else None
    if result is None:
        return stale(ctx, Submit(attempt_id))
    return menu(ctx, result_msg(result), toast=toast)


def result_msg(result: Result) -> Msg:
    att = result.attempt
    if att.practice or result.rank is None:
        return Msg("play.result_practice", correct=att.correct, total=result.total, duration=att.duration())
    return Msg("play.result", correct=att.correct, total=result.total, duration=att.duration(),
               rank=result.rank, count=result.ranked_count)


def stale(ctx: Ctx, action: Action) -> Turn:
    # The type only: an action's codes can say where a citizen lives (a unit) or what they play.
    log.warning("stale or forged button %s from account %s", type(action).__name__, ctx.account.id)
    return ctx.state, Outcome((Reply((Msg("error.stale_button"),)),), Msg("toast.stale"))
