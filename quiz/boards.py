"""A round's live board kept piece by piece, shared by every worker when it lives in Redis.

Each ranked participant is one *member* under their number of correct answers: a string that a sorted
store (a Redis sorted set, a list in this process) orders by prediction, then duration, submission and
attempt. quiz.ranking.rank_key orders by correct answers, then the prediction closest to the all-correct
figure, then the rest; since that figure moves while a round is open, no fixed score can hold the order.
What is fixed is which ranges to count or read for one participant's rank and for the top, exactly as
rank_key orders them (`ahead`, `top_scans`, `closest`). A participant keeps the attempts that may be
their best (`Held`): whichever is closest to the figure counts, so their member moves when the figure
passes `switch_at`."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from quiz.ranking import Ranked, Standing, all_correct, rank_key

_SHIFT = 10 ** 18  # predictions are written shifted so that negative numbers order too
NO_PREDICTION = "~"  # after every written prediction, as rank_key puts a missing one after every miss
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def _prediction(p: int) -> str:
    return f"P{min(max(p, -_SHIFT), _SHIFT - 1) + _SHIFT:019d}"


def _micros(at: datetime) -> int:
    return ((at if at.tzinfo else at.replace(tzinfo=UTC)) - _EPOCH) // _US


def tail(s: Standing) -> str:
    """Duration, submission and attempt, written to order as rank_key's last three fields."""
    return f"{max(s.duration_ms, 0):012d}:{_micros(s.submitted_at):017d}:{s.attempt_id:012d}"


def member(s: Standing) -> str:
    """The standing as its board holds it, under its number of correct answers."""
    head = NO_PREDICTION if s.prediction is None else _prediction(s.prediction)
    return f"{head}:{tail(s)}:{s.total:04d}:{int(s.verified)}:{s.participant_id}"


def standing(m: str, correct: int) -> Standing:
    """The standing a member was written from."""
    head, duration, submitted, attempt, total, verified, pid = m.split(":")
    prediction = None if head == NO_PREDICTION else int(head[1:]) - _SHIFT
    return Standing(int(pid), int(attempt), correct, int(total), int(duration), _EPOCH + int(submitted) * _US,
                    prediction, verified == "1")


def _head(m: str) -> str:
    return m.split(":", 1)[0]


def participant_of(m: str) -> int:
    return int(m.rsplit(":", 1)[1])


def note(s: Standing) -> str:
    """A standing written down whole (to replay it on a board being built)."""
    return f"{s.correct}|{int(all_correct(s))}|{member(s)}"


def from_note(text: str) -> Standing:
    correct, _perfect, m = text.split("|")
    return standing(m, int(correct))


@dataclass(frozen=True, slots=True)
class Held:
    """What a participant holds on a round's board: the attempts that may be their best (those with the
    most correct answers, the best of each prediction), which of them is on the board, and whether any
    counted attempt of theirs answered everything right."""

    correct: int
    perfect: bool
    best: str  # the member on the board
    candidates: tuple[str, ...]

    def dumps(self) -> str:
        """Written short: most hold one attempt, the one on the board, which is not written twice."""
        others = "" if self.candidates == (self.best,) else " ".join(self.candidates)
        return f"{self.correct}|{int(self.perfect)}|{self.best}|{others}"

    @classmethod
    def loads(cls, text: str) -> Held:
        correct, perfect, best, candidates = text.split("|")
        return cls(int(correct), perfect == "1", best, tuple(candidates.split(" ")) if candidates else (best,))

    def best_standing(self) -> Standing:
        return standing(self.best, self.correct)


def add(held: Held | None, s: Standing, figure: int) -> Held:
    """`held` with one more counted attempt, its best chosen at `figure`."""
    return settle(keep(held, s), figure)


def keep(held: Held | None, s: Standing) -> Held:
    """`held` with one more counted attempt, its best not chosen yet (see `settle`)."""
    m = member(s)
    if held is None or s.correct > held.correct:
        kept: tuple[str, ...] = (m,)
    elif s.correct < held.correct:
        kept = held.candidates
    else:  # one per prediction: the same miss at any figure, so the shorter (then earlier) one wins
        same = next((c for c in held.candidates if _head(c) == _head(m)), None)
        kept = held.candidates if same is not None and same <= m else \
            tuple(c for c in held.candidates if c != same) + (m,)
    correct = max(s.correct, held.correct) if held else s.correct
    return Held(correct, bool(held and held.perfect) or all_correct(s), held.best if held else "", tuple(sorted(kept)))


def settle(held: Held, figure: int) -> Held:
    """The candidate rank_key puts first at `figure` goes on the board."""
    if len(held.candidates) == 1:  # most participants: nothing to choose
        return held if held.best == held.candidates[0] else replace(held, best=held.candidates[0])
    best = min(held.candidates, key=lambda c: rank_key(standing(c, held.correct), figure))
    return held if best == held.best else replace(held, best=best)


def switch_at(held: Held, figure: int) -> int | None:
    """The smallest figure above `figure` at which another candidate would come first; None if none would.
    The figure only grows between rebuilds: the all-correct count of an open round."""
    if len(held.candidates) == 1:
        return None
    b = held.best_standing()
    if b.prediction is None:
        return None
    at: int | None = None
    for c in held.candidates:
        o = standing(c, held.correct)
        if o.prediction is None or o.prediction <= b.prediction:
            continue  # farther from a growing figure for ever
        both = b.prediction + o.prediction  # equally close at both / 2: the shorter (then earlier) one wins
        cross = both // 2 if both % 2 == 0 and tail(o) < tail(b) else both // 2 + 1
        at = cross if at is None else min(at, cross)
    return at if at is not None and at > figure else None


@dataclass(frozen=True, slots=True)
class Span:
    """The members m of one score with lo <= m < hi (no upper bound when hi is None)."""

    lo: str
    hi: str | None


@dataclass(frozen=True, slots=True)
class Scan:
    """Up to `limit` members of one score upwards from `start` (and below `stop`), or, when `down`,
    downwards from just below `start`."""

    start: str
    limit: int
    stop: str | None = None
    down: bool = False


def ahead(m: str, correct: int, figure: int) -> list[Span]:
    """The members with as many correct answers as `m` that rank_key puts before it at `figure`."""
    s = standing(m, correct)
    after = f":{tail(s)}"
    if s.prediction is None:
        return [Span("", NO_PREDICTION), Span(NO_PREDICTION, NO_PREDICTION + after)]
    miss = abs(s.prediction - figure)
    low, high = _prediction(figure - miss), _prediction(figure + miss)
    spans = [Span(low, low + after)]
    if miss:
        spans += [Span(_prediction(figure - miss + 1), high), Span(high, high + after)]
    return spans


def top_scans(figure: int, k: int) -> tuple[Scan, Scan]:
    """The k members nearest the figure from above (then those with no prediction), and from below."""
    return Scan(_prediction(figure), k), Scan(_prediction(figure), k, down=True)


def farthest(below: Sequence[str], k: int) -> Scan | None:
    """Read downwards, the last prediction reached may be cut short at its worst tails: its best ones."""
    if len(below) < k:
        return None
    head = _head(below[-1])
    return Scan(head + ":", sum(1 for m in below if _head(m) == head), stop=head + ";")


def closest(members: Iterable[str], correct: int, figure: int, k: int) -> list[Standing]:
    """The first k of these members as rank_key orders them."""
    found = {standing(m, correct) for m in members}
    return sorted(found, key=lambda s: rank_key(s, figure))[:k]


@dataclass(frozen=True, slots=True)
class Look:
    """A round's board as its store holds it now, and what one participant holds on it."""

    gen: str | None  # the board served; None before the first build
    building: str | None  # a board being built to replace it
    stale: bool  # who counts changed since it was built
    frozen: int | None  # the figure fixed when the round closed
    perfect: int  # participants with a counted attempt answering everything right
    sizes: dict[int, int]  # members by number of correct answers
    held: str | None  # Held.dumps() of the participant asked about
    due: bool  # a participant's best must be chosen again at this figure

    @property
    def figure(self) -> int:
        return self.frozen if self.frozen is not None else self.perfect

    def before(self, correct: int) -> int:
        """Members with more correct answers."""
        return sum(n for c, n in self.sizes.items() if c > correct)

    def __len__(self) -> int:
        return sum(self.sizes.values())


@dataclass(frozen=True, slots=True)
class Glimpse:
    """What a citizen's leaderboard shows of a round: its top, its size, their own row."""

    round_code: str
    figure: int
    size: int
    rows: tuple[Ranked, ...]
    mine: Ranked | None

    def __len__(self) -> int:
        return self.size

    def top(self, n: int) -> tuple[Ranked, ...]:
        return self.rows[:n]

    def place_of(self, participant_id: int) -> Ranked | None:
        return self.mine if self.mine is not None and self.mine.standing.participant_id == participant_id else None
