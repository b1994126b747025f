"""Keys and explanations reaching citizens: after each answer in practice, and the review of a whole
finished paper once quiz.review allows it (for a ranked attempt, only when nobody can still use it)."""
from __future__ import annotations

from quiz.attempts import Attempt
from quiz.conversation.actions import Review
from quiz.conversation.context import Ctx, Turn, back_to_menu, button, menu
from quiz.conversation.messages import Button, Msg, Outcome, Reply
from quiz.model import LETTERS, Question

PAGE = 5  # questions per page of a review: a phone screen or two each


def _question(ctx: Ctx, att: Attempt, position: int) -> Question:
    return ctx.runtime.questions(att.set_name, att.set_version)[att.paper[position].question_id]


def _option(att: Attempt, question: Question, position: int, shown: int) -> str:
    return f"{LETTERS[shown]}. {question.options[att.paper[position].order[shown]]}"


def explained(ctx: Ctx, att: Attempt, position: int, choice: int | None) -> tuple[Msg, ...]:
    """One question of a paper: its text, the answer given, the key, the explanation and the source."""
    q = _question(ctx, att, position)
    key = att.paper[position].shown_correct(q)
    if choice is None:
        verdict = Msg("explain.unanswered", key=_option(att, q, position, key))
    elif choice == key:
        verdict = Msg("explain.right", chosen=_option(att, q, position, choice))
    else:
        verdict = Msg("explain.wrong", chosen=_option(att, q, position, choice), key=_option(att, q, position, key))
    parts = [Msg("explain.question", k=position + 1, n=len(att.paper), text=q.text), verdict]
    if q.explanation:
        parts.append(Msg("explain.why", text=q.explanation))
    if q.source:
        parts.append(Msg("explain.source", source=q.source))
    return tuple(parts)


def after_answer(ctx: Ctx, att: Attempt, position: int, choice: int) -> Reply:
    """In practice, the answered question turns into its key and explanation (in place where it can)."""
    return Reply(explained(ctx, att, position, choice), replace=True)


async def review(ctx: Ctx, attempt_id: int, page: int) -> Turn:
    """A page of the citizen's finished paper with every key and explanation, when the rules allow it."""
    pid = ctx.account.participant_id
    att = await ctx.play.attempt(attempt_id, now=ctx.now) if pid is not None else None
    if att is None or att.participant_id != pid:
        return menu(ctx, Msg("review.unavailable"))
    if not await ctx.play.reviewable([att], now=ctx.now):
        return menu(ctx, Msg("review.later"))
    answers = await ctx.play.answers(att.id)
    pages = max(1, -(-len(att.paper) // PAGE))
    page = min(page, pages - 1)
    first = page * PAGE
    positions = range(first, min(first + PAGE, len(att.paper)))
    parts: list[Msg] = [Msg("review.title", correct=att.correct, n=len(att.paper), page=page + 1, pages=pages)]
    for position in positions:
        parts.extend(explained(ctx, att, position, answers.get(position)))
    nav: list[Button] = []
    if page > 0:
        nav.append(button("review.prev", Review(att.id, page - 1)))
    if page + 1 < pages:
        nav.append(button("review.next", Review(att.id, page + 1)))
    rows = (tuple(nav), back_to_menu()) if nav else (back_to_menu(),)
    return ctx.state.idle(), Outcome((Reply(tuple(parts), rows, replace=page > 0),))
