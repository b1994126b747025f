"""A round's ranking held in memory: O(1) top-N and rank lookups, rebuilt when stale."""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from quiz.ranking import Ranked, Standing, all_correct_ids, rank, rank_key


@dataclass(frozen=True, slots=True)
class Board:
    round_code: str
    figure: int  # the prediction figure the ranking used
    built_at: datetime
    ranked: tuple[Ranked, ...]
    all_correct: frozenset[int]  # participants with a counted attempt answering every question right
    _places: dict[int, int] = field(repr=False)
    _keys: tuple[tuple[int, float, int, datetime, int], ...] = field(repr=False)

    def __len__(self) -> int:
        return len(self.ranked)

    def top(self, n: int) -> tuple[Ranked, ...]:
        return self.ranked[:n]

    def page(self, offset: int, limit: int) -> tuple[Ranked, ...]:
        return self.ranked[offset:offset + limit]

    def place_of(self, participant_id: int) -> Ranked | None:
        """The participant's row as of `built_at`."""
        place = self._places.get(participant_id)
        return self.ranked[place - 1] if place else None

    def place_for(self, standing: Standing) -> int:
        """Where a result not yet in the board would rank now, against everyone else in it."""
        held = self.place_of(standing.participant_id)
        ahead = bisect_left(self._keys, rank_key(standing, self.figure))
        if held is not None and rank_key(held.standing, self.figure) <= rank_key(standing, self.figure):
            return held.rank
        return ahead + 1 - (1 if held is not None and held.rank <= ahead else 0)


def build_board(round_code: str, standings: Iterable[Standing], *, actual: int | None, now: datetime) -> Board:
    """Rank every participant's best attempt; `actual` is the frozen figure once the round closed."""
    rows = list(standings)
    perfect = frozenset(all_correct_ids(rows))
    figure = actual if actual is not None else len(perfect)
    ranked = tuple(rank(rows, figure))
    return Board(round_code, figure, now, ranked, perfect, {r.standing.participant_id: r.rank for r in ranked},
                 tuple(rank_key(r.standing, figure) for r in ranked))
