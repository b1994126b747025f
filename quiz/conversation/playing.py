"""Taking an attempt: choose a round, question k of N, answers, handing in, the prediction, the result.

Every press is checked against the stored attempt, and every answer to a press shows where the attempt
really is: a second tab, a lost reply or an old message never leaves a citizen on a frozen screen."""
from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping

from quiz.attempts import Attempt, AttemptRace, CapReached, Verdict
from quiz.conversation import feedback, phones
from quiz.conversation.actions import (
    Action,
    Answer,
    Data,
    DataItem,
    Menu,
    PickRound,
    Resume,
    Review,
    SkipPrediction,
    Submit,
    SubmitConfirmed,
)
from quiz.conversation.context import Ctx, Elsewhere, Turn, button, menu, menu_buttons, refused, round_title, say
from quiz.conversation.messages import Button, Msg, Outcome, Progress, Reply
from quiz.conversation.state import Step
from quiz.identity import GUARDIAN_UNDER
from quiz.model import LETTERS, Round
from quiz.people import TakingPartRefused
from quiz.ranking import Unranked
from quiz.season import Stage, season
from quiz.services.playing import Result
from quiz.text import fold

log = logging.getLogger(__name__)
BAR = 10
_LETTER = re.compile(r"^(?:dap an|chon|phuong an|cau)?\s*([a-z])\s*[.)]?$")
MAX_PREDICTION_DIGITS = 9


def progress_bar(done: int, total: int) -> str:
    filled = round(BAR * done / total) if total else 0
    return "▰" * filled + "▱" * (BAR - filled)


def typed_letter(text: str) -> str | None:
    """The option letter in "b", "B.", "Ｂ", "đáp án B", "chọn b"; None for anything else."""
    found = _LETTER.match(fold(unicodedata.normalize("NFKC", text)).strip())
    return found.group(1).upper() if found else None


def typed_number(text: str) -> int | None:
    """A whole number as people write it: "125", "1.250", "1 250", "１２５"."""
    digits = re.sub(r"[\s.,]", "", unicodedata.normalize("NFKC", text))
    if not digits.isascii() or not digits.isdigit() or len(digits) > MAX_PREDICTION_DIGITS:
        return None
    return int(digits)


# where the attempt is
def _may_still_run(r: Round, ctx: Ctx) -> bool:
    """Open, or closed so recently that an attempt begun before the close is still running."""
    return r.is_open(ctx.now) or (r.closes is not None and r.closes <= ctx.now < r.closes + r.time_limit)


async def open_attempt(ctx: Ctx) -> Attempt | None:
    """The citizen's attempt still taking answers: the one the conversation is on, else any round's."""
    pid = ctx.account.participant_id
    if pid is None:
        return None
    known = ctx.state.data.get("attempt") if ctx.state.step in (Step.PLAYING, Step.PREDICT) else None
    if isinstance(known, int):
        att = await ctx.play.attempt(known, now=ctx.now)
        if att is not None and att.participant_id == pid and att.accepting(ctx.now):
            return att
    for r in ctx.runtime.contest.rounds:
        if _may_still_run(r, ctx):
            att = await ctx.play.open_attempt(participant_id=pid, round_code=r.code, now=ctx.now)
            if att is not None:
                return att
    return None


async def just_ended(ctx: Ctx) -> Attempt | None:
    """The attempt the conversation was on, if it ended meanwhile (its time ran out while away)."""
    known = ctx.state.data.get("attempt") if ctx.state.step in (Step.PLAYING, Step.PREDICT) else None
    if not isinstance(known, int) or ctx.account.participant_id is None:
        return None
    att = await ctx.play.attempt(known, now=ctx.now)
    if att is None or att.participant_id != ctx.account.participant_id or att.accepting(ctx.now):
        return None
    return att


# choosing a round
async def play(ctx: Ctx, round_code: str | None = None) -> Turn:
    """Resume an attempt in progress, or start one in the chosen (or only) open round."""
    pid = ctx.account.participant_id
    if pid is None:
        return menu(ctx, Msg("play.register_first"))
    if round_code is None:
        rounds = ctx.play.playable_rounds(ctx.now)
        if len(rounds) == 1 and rounds[0].ranked and \
                [r for r in ctx.runtime.contest.rounds if _may_still_run(r, ctx)] == rounds:
            # The one round an attempt can run in: starting resumes the one open there, and says why
            # the citizen may not take part when it would draw a new one (one transaction, not three).
            return await _begin(ctx, pid, rounds[0].code, resumed_in_place=True)
        current = await open_attempt(ctx)
        if current is not None:
            return await show_current(ctx, current)
        why = await ctx.people.may_take_part(pid, now=ctx.now)
        if why is not None:  # said before a round is chosen, not after
            return _not_taking_part(ctx, why)
        if not any(r.ranked for r in rounds):
            return _no_ranked_round(ctx, rounds)
        if len(rounds) > 1:
            rows = tuple((Button(Msg("play.round_button", title=round_title(ctx, r)), PickRound(r.code)),)
                         for r in sorted(rounds, key=lambda r: r.practice))
            return ctx.state, say(Msg("play.choose_round"), buttons=rows + ((button("menu.back", Menu()),),))
        round_code = rounds[0].code
    return await _begin(ctx, pid, round_code)


async def _begin(ctx: Ctx, pid: int, round_code: str, *, resumed_in_place: bool = False) -> Turn:
    """A new attempt in the round, or the one open there; `resumed_in_place`: an open one takes the place of
    the message pressed, as a resume from the menu does."""
    try:
        att, drawn = await ctx.play.begin(participant_id=pid, round_code=round_code, now=ctx.now)
    except TakingPartRefused as refused:
        return _not_taking_part(ctx, refused.reason)
    except CapReached as cap:
        limit = Msg("play.cap_round", limit=cap.limit) if cap.per == "round" else Msg("play.cap_day", limit=cap.limit)
        return menu(ctx, limit)
    except LookupError:
        return menu(ctx, Msg("play.round_closed"))
    except AttemptRace:  # other starts with the number kept taking the place first: nothing was refused
        return menu(ctx, Msg("play.start_again"))
    return await show_current(ctx, att, first=drawn or not resumed_in_place, answers={} if drawn else None)


def _not_taking_part(ctx: Ctx, reason: str) -> Turn:
    """No attempt: a guardian's consent is missing, or the consent to take part was withdrawn."""
    if reason == "guardian":
        return ctx.state.idle(), say(Msg("play.guardian_needed", age=GUARDIAN_UNDER), buttons=(
            (button("data.guardian_give", Data(DataItem.GUARDIAN)),), (button("menu.back", Menu()),)))
    if reason == "withdrawn":
        return ctx.state.idle(), say(Msg("play.withdrawn"), buttons=(
            (button("data.erase", Data(DataItem.ERASE)),), (button("menu.back", Menu()),)))
    return menu(ctx, Msg("play.register_first"))


def season_note(ctx: Ctx) -> Msg | None:
    """One sentence on where the contest stands, when no ranked round is open now."""
    now = season(ctx.runtime.contest.rounds, ctx.now)
    if now.stage is Stage.UPCOMING and now.next is not None:
        return Msg("season.upcoming", round=now.next.title, opens=now.next.opens)
    if now.stage is Stage.BETWEEN and now.next is not None and now.last is not None:
        return Msg("season.between", last=now.last.title, next=now.next.title, opens=now.next.opens)
    if now.stage is Stage.OVER and now.ended is not None:
        return Msg("season.over", ended=now.ended.astimezone(ctx.runtime.tz).date())
    return None


def welcome_notes(ctx: Ctx) -> tuple[Msg, ...]:
    """What the welcome says of the contest: the round open now and until when, or where it stands and
    that practice is open."""
    now = season(ctx.runtime.contest.rounds, ctx.now)
    if now.stage is Stage.RUNNING and now.running is not None:
        r = now.running
        return (Msg("season.running", round=r.title, closes=r.closes),) if r.closes is not None else ()
    note = season_note(ctx)
    notes = [note] if note is not None else []
    if now.practice is not None:
        notes.append(Msg("season.practice_open"))
    return tuple(notes)


def _no_ranked_round(ctx: Ctx, rounds: list[Round]) -> Turn:
    """No ranked round open: say where the contest stands, and offer practice as practice."""
    note = season_note(ctx)
    practice = [r for r in rounds if r.practice]
    if not practice:
        return menu(ctx, *(p for p in (note, Msg("play.no_round")) if p is not None))
    rows = tuple((Button(Msg("play.practice_button", title=round_title(ctx, r)), PickRound(r.code)),) for r in practice)
    parts = (note, Msg("play.practice_offer")) if note is not None else (Msg("play.practice_offer"),)
    return ctx.state, say(*parts, buttons=rows + ((button("menu.back", Menu()),),))


# showing the attempt
async def show_current(ctx: Ctx, att: Attempt, *, first: bool = False, toast: Msg | None = None,
                       lead: tuple[Reply, ...] = (), chosen: Action | None = None,
                       answers: Mapping[int, int] | None = None) -> Turn:
    """The first unanswered question; the prediction or the result when all are answered. `answers`: the
    attempt's answers as the write that stored the last one read them (no second read)."""
    answers = answers if answers is not None else await ctx.play.answers(att.id)
    position = next((i for i in range(len(att.paper)) if i not in answers), None)
    if position is None:
        return await wrap_up(ctx, att, toast=toast, lead=lead, chosen=chosen, answered=len(answers))
    question = question_reply(ctx, att, position, replace=not first and not lead)
    return ctx.state.at(Step.PLAYING, attempt=att.id), Outcome((*lead, question), toast, chosen=chosen)


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
    rows.append((button("play.finish_early", Submit(att.id)),))  # a row of its own, away from the answers
    return Reply(parts, tuple(r for r in rows if r), replace=replace,
                 progress=Progress(position + 1, total, att.deadline, att.id))


async def wrap_up(ctx: Ctx, att: Attempt, *, toast: Msg | None = None, lead: tuple[Reply, ...] = (),
                  chosen: Action | None = None, answered: int | None = None) -> Turn:
    """Ask the round's prediction if it is still open, else close the attempt and show the result.
    `answered`: how many answers the attempt holds, if the caller has just read them."""
    round_ = ctx.runtime.contest.round(att.round_code)
    if round_ is not None and round_.prediction and att.accepting(ctx.now) and att.prediction is None:
        ask = Reply((Msg("play.predict"),), ((button("play.predict_skip", SkipPrediction(att.id)),),),
                    replace=not lead)
        return ctx.state.at(Step.PREDICT, attempt=att.id), Outcome((*lead, ask), toast, chosen=chosen)
    return await finish(ctx, att.id, toast=toast, lead=lead, chosen=chosen, answered=answered)


async def resume_prompt(ctx: Ctx, att: Attempt) -> Turn:
    """Opening the chat with an attempt running: say so, with the time left, and the way back into it."""
    answers = await ctx.play.answers(att.id)
    round_ = ctx.runtime.contest.round(att.round_code)
    title = round_title(ctx, round_) if round_ is not None else att.round_code
    total = len(att.paper)
    k = min(len(answers) + 1, total)
    ask = Msg("play.resume", round=title, k=k, n=total, left=att.time_left(ctx.now))
    rows = ((button("play.resume_button", Resume(att.id)),), (button("menu.back", Menu()),))
    return ctx.state.at(Step.PLAYING, attempt=att.id), say(ask, buttons=rows)


# presses
async def on_resume(ctx: Ctx, attempt_id: int) -> Turn:
    """"Làm tiếp", or a page whose countdown ended asking where the attempt stands."""
    att = await _mine(ctx, attempt_id)
    if att is None:
        return await _elsewhere(ctx, Resume(attempt_id))
    if att.accepting(ctx.now):
        return await show_current(ctx, att)
    return await finish(ctx, att.id, toast=_ended_toast(ctx, att), replace=True)


async def on_submit(ctx: Ctx, attempt_id: int) -> Turn:
    """"Nộp bài": first say how many questions are unanswered and how much time is left."""
    att = await _mine(ctx, attempt_id)
    if att is None:
        return await _elsewhere(ctx, Submit(attempt_id))
    if not att.accepting(ctx.now):
        return await finish(ctx, att.id, toast=_ended_toast(ctx, att), replace=True)
    answers = await ctx.play.answers(att.id)
    unanswered = len(att.paper) - len(answers)
    if unanswered == 0:
        return await wrap_up(ctx, att)
    ask = Msg("play.confirm_submit", unanswered=unanswered, n=len(att.paper), left=att.time_left(ctx.now))
    rows = ((button("play.confirm_submit_yes", SubmitConfirmed(att.id)),
             button("play.confirm_submit_no", Resume(att.id))),)
    return ctx.state.at(Step.PLAYING, attempt=att.id), say(ask, buttons=rows, replace=True)


async def on_submit_confirmed(ctx: Ctx, attempt_id: int) -> Turn:
    """The citizen hands in early: unanswered questions count as wrong."""
    att = await _mine(ctx, attempt_id)
    if att is None:
        return await _elsewhere(ctx, SubmitConfirmed(attempt_id))
    if not att.accepting(ctx.now):
        return await finish(ctx, att.id, toast=_ended_toast(ctx, att), replace=True)
    return await wrap_up(ctx, att)


async def on_answer(ctx: Ctx, action: Answer) -> Turn:
    """Every press re-checked against the stored attempt; whatever happened, the real screen comes back."""
    pid = ctx.account.participant_id
    outcome = None if pid is None else await ctx.play.answer(
        attempt_id=action.attempt, participant_id=pid, position=action.position, choice=action.choice, now=ctx.now,
        account=ctx.account)
    if outcome is None or outcome.verdict in (Verdict.NOT_YOURS, Verdict.NO_SUCH_QUESTION, Verdict.NO_SUCH_OPTION):
        return await _elsewhere(ctx, action)
    att = outcome.attempt
    if outcome.verdict is Verdict.TIME_UP:
        return await finish(ctx, att.id, toast=Msg("toast.time_up"), replace=True)
    if outcome.verdict is Verdict.FINISHED:
        current = await open_attempt(ctx)
        if current is not None and current.id != att.id:  # a button of an earlier attempt: back to this one
            return refused(await show_current(ctx, current, toast=Msg("toast.finished")))
        return await finish(ctx, att.id, toast=Msg("toast.finished"), replace=True)
    answers = outcome.answers
    if outcome.verdict is Verdict.ALREADY_ANSWERED:
        kept = (answers if answers is not None else await ctx.play.answers(att.id)).get(action.position)
        if kept is None:  # cannot happen: the answer was refused because one was stored
            return await show_current(ctx, att)
        toast = Msg("toast.recorded", k=action.position + 1, letter=LETTERS[kept])
        return await show_current(ctx, att, toast=toast, chosen=Answer(att.id, action.position, kept), answers=answers)
    lead = (feedback.after_answer(ctx, att, action.position, action.choice),) if att.practice else ()
    return await show_current(ctx, att, toast=Msg("toast.saved"), lead=lead, answers=answers)


async def on_typed(ctx: Ctx, att: Attempt, text: str) -> Turn:
    """Text during an attempt: a letter answers the question on screen, a number is the prediction;
    anything else gets a short reminder, never the whole question again."""
    answers = await ctx.play.answers(att.id)
    position = next((i for i in range(len(att.paper)) if i not in answers), None)
    if position is None:
        round_ = ctx.runtime.contest.round(att.round_code)
        if round_ is not None and round_.prediction and att.prediction is None:
            return await on_prediction(ctx, text, att.id)
        return await wrap_up(ctx, att, answered=len(answers))
    letter = typed_letter(text)
    valid = LETTERS[:len(att.paper[position].order)]
    if letter is None:
        hint = Msg("play.typing_hint", k=position + 1, n=len(att.paper), letters=", ".join(valid),
                   left=att.time_left(ctx.now))
        return ctx.state.at(Step.PLAYING, attempt=att.id), say(
            hint, buttons=((button("play.show_question", Resume(att.id)),),))
    if letter not in valid:
        return ctx.state.at(Step.PLAYING, attempt=att.id), say(
            Msg("play.letters_valid", k=position + 1, letters=", ".join(valid)))
    return await on_answer(ctx, Answer(att.id, position, valid.index(letter)))


async def on_prediction(ctx: Ctx, text: str | None, attempt_id: int) -> Turn:
    pid = ctx.account.participant_id
    att = await _mine(ctx, attempt_id)
    if pid is None or att is None:
        return await _elsewhere(ctx, SkipPrediction(attempt_id))
    if text is not None:
        number = typed_number(text)
        if number is None:
            skip = button("play.predict_skip", SkipPrediction(attempt_id))
            return ctx.state.at(Step.PREDICT, attempt=attempt_id), say(Msg("play.predict_bad"), buttons=((skip,),))
        if not await ctx.play.predict(attempt_id=attempt_id, participant_id=pid, prediction=number, now=ctx.now):
            return await finish(ctx, attempt_id, toast=_ended_toast(ctx, att))
    return await finish(ctx, attempt_id, toast=Msg("toast.saved"), replace=text is None)


async def _mine(ctx: Ctx, attempt_id: int) -> Attempt | None:
    pid = ctx.account.participant_id
    att = await ctx.play.attempt(attempt_id, now=ctx.now) if pid is not None else None
    return att if att is not None and att.participant_id == pid else None


def _ended_toast(ctx: Ctx, att: Attempt) -> Msg:
    return Msg("toast.time_up") if att.finished_at is None or att.finished_at >= att.deadline else Msg("toast.finished")


async def _elsewhere(ctx: Ctx, action: Action) -> Turn:
    """A press for an attempt that is not (or no longer) this citizen's to answer: the real screen instead."""
    stale(ctx, action)
    raise Elsewhere()


# the result
async def finish(ctx: Ctx, attempt_id: int, *, toast: Msg | None = None, lead: tuple[Reply, ...] = (),
                 chosen: Action | None = None, replace: bool = False, answered: int | None = None) -> Turn:
    """Close the attempt and show the result. `answered`: every answer of it was read just now and
    counted (the last answer's write returns them all), so they are not read again."""
    pid = ctx.account.participant_id
    result = await ctx.play.finish(attempt_id=attempt_id, participant_id=pid, now=ctx.now) if pid else None
    if result is None:
        return await _elsewhere(ctx, Submit(attempt_id))
    if answered is None:
        answered = len(await ctx.play.answers(attempt_id))
    reviewable = result.reviewable
    parts = result_parts(ctx, result, answered=answered, reviewable=reviewable)
    rows = menu_buttons(ctx)
    if reviewable and not result.attempt.practice:
        rows = ((button("review.open", Review(attempt_id, 0)),), *rows)
    shown = Reply(parts, rows, replace=replace and not lead)
    return ctx.state.idle(), Outcome((*lead, shown), toast, chosen=chosen)


# Why a result of a ranked round has no place, as its owner is told (quiz.ranking.unranked).
_UNRANKED = {Unranked.DISQUALIFIED: Msg("play.unranked_disqualified"),
             Unranked.UNVERIFIED: Msg("play.unranked_unverified"),
             Unranked.WITHDRAWN: Msg("play.unranked_withdrawn")}


def result_parts(ctx: Ctx, result: Result, *, answered: int, reviewable: bool) -> tuple[Msg, ...]:
    """What the result says fits it: time running out, a perfect paper, a good one, or just handed in."""
    att, total = result.attempt, result.total
    timed_out = att.finished_at is not None and att.finished_at >= att.deadline
    if timed_out:
        head = Msg("play.time_up", answered=answered, n=total)
    elif att.correct == total:
        head = Msg("play.head_perfect")
    elif 2 * att.correct >= total:
        head = Msg("play.head_good")
    else:
        head = Msg("play.head_done")
    if att.practice or (result.rank is None and result.unranked is None):
        parts = [head, Msg("play.result_practice", correct=att.correct, total=total, duration=att.duration())]
    elif result.unranked is not None:
        why = Msg("play.unranked_unverified_elsewhere") \
            if result.unranked is Unranked.UNVERIFIED and not phones.proves_here(ctx) else \
            _UNRANKED.get(result.unranked, Msg("play.unranked"))
        parts = [head, Msg("play.result_unranked", correct=att.correct, total=total, duration=att.duration()), why]
    else:
        parts = [head, Msg("play.result", correct=att.correct, total=total, duration=att.duration(),
                           rank=result.rank, count=result.ranked_count)]
    round_ = ctx.runtime.contest.round(att.round_code)
    if timed_out and round_ is not None and round_.prediction and att.prediction is None:
        parts.append(Msg("play.prediction_skipped"))
    if not att.practice and not reviewable:
        parts.append(Msg("review.later"))
    return tuple(parts)


def stale(ctx: Ctx, action: Action) -> None:
    # The type only: an action's codes can say where a citizen lives (a unit) or what they play.
    log.warning("stale or forged button %s from account %s", type(action).__name__, ctx.account.id)
