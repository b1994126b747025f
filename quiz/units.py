"""The administrative unit tree (any depth) and its aggregates."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from quiz.model import Unit

COMPARED_LEVEL = 1  # the level organisers compare: districts below a province (communes after 7/2025)


class UnitTree:
    """Units indexed by code, with parent/child navigation."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self._units: dict[str, Unit] = {}
        self._children: dict[str | None, list[str]] = {}
        for unit in units:
            self._units[unit.code] = unit
            self._children.setdefault(unit.parent, []).append(unit.code)

    def __contains__(self, code: object) -> bool:
        return code in self._units

    def __len__(self) -> int:
        return len(self._units)

    def get(self, code: str) -> Unit | None:
        return self._units.get(code)

    def roots(self) -> list[Unit]:
        return [self._units[c] for c in self._children.get(None, [])]

    def children(self, code: str | None) -> list[Unit]:
        return [self._units[c] for c in self._children.get(code, [])]

    def is_leaf(self, code: str) -> bool:
        return not self._children.get(code)

    def path(self, code: str) -> list[Unit]:
        """The units from the root down to `code`."""
        chain: list[Unit] = []
        unit = self._units.get(code)
        while unit is not None:
            chain.append(unit)
            unit = self._units.get(unit.parent) if unit.parent else None
        return chain[::-1]

    def ancestors_and_self(self, code: str) -> list[str]:
        return [u.code for u in self.path(code)]

    def all(self) -> list[Unit]:
        return list(self._units.values())


@dataclass(frozen=True, slots=True)
class UnitStats:
    code: str
    name: str
    depth: int
    population: int | None
    participants: int
    attempts: int
    winners: int

    @property
    def rate(self) -> float | None:
        """Participants per inhabitant, or None when the population is unknown."""
        if not self.population:
            return None
        return self.participants / self.population


def roll_up(
    tree: UnitTree,
    *,
    participants: Mapping[str, int],
    attempts: Mapping[str, int],
    winners: Mapping[str, int] | None = None,
) -> list[UnitStats]:
    """Totals per unit, each unit counting itself and every unit below it, in tree order."""
    won = winners or {}
    totals: dict[str, list[int]] = {u.code: [0, 0, 0] for u in tree.all()}
    for counts, slot in ((participants, 0), (attempts, 1), (won, 2)):
        for code, n in counts.items():
            for up in tree.ancestors_and_self(code):
                totals[up][slot] += n
    out: list[UnitStats] = []

    def walk(unit: Unit, depth: int) -> None:
        p, a, w = totals[unit.code]
        out.append(UnitStats(unit.code, unit.name, depth, unit.population, p, a, w))
        for child in tree.children(unit.code):
            walk(child, depth + 1)

    for root in tree.roots():
        walk(root, 0)
    return out


def rate_key(s: UnitStats) -> tuple[float, int, str]:
    """Highest participation rate first; then more prize winners; then by name."""
    return (-(s.rate or 0.0), -s.winners, s.name)


def collective_ranking(stats: Iterable[UnitStats], *, depth: int) -> tuple[list[UnitStats], list[UnitStats]]:
    """Units at `depth` ranked for the collective prize by participation rate; and, apart, those that
    cannot be ranked for want of a population figure (most participants first)."""
    level = [s for s in stats if s.depth == depth]
    ranked = sorted((s for s in level if s.rate is not None), key=rate_key)
    unranked = sorted((s for s in level if s.rate is None), key=lambda s: (-s.participants, s.name))
    return ranked, unranked


def top_and_bottom(stats: Iterable[UnitStats], *, depth: int, n: int) -> tuple[bool, list[UnitStats], list[UnitStats]]:
    """The n best and n worst units at `depth`, no unit twice: by the collective ranking when every
    population is known (True), else by participants (False)."""
    ranked, unranked = collective_ranking(stats, depth=depth)
    by_rate = bool(ranked) and not unranked
    order = ranked if by_rate else sorted(ranked + unranked, key=lambda s: (-s.participants, s.name))
    best = order[:n]
    return by_rate, best, order[len(best):][-n:]
