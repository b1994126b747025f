"""A contest as the running service holds it: settings, published questions, content."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from quiz.model import Contest, FaqEntry, Question, QuestionSet, RulesSection, Tip
from quiz.pack import ContestPack
from quiz.search import AnswerIndex, items_of
from quiz.units import UnitTree


@dataclass(slots=True)
class ContestRuntime:
    contest: Contest
    sets: Mapping[str, QuestionSet]
    rules_version: str
    rules: tuple[RulesSection, ...]
    tips: tuple[Tip, ...]
    faq: tuple[FaqEntry, ...]
    units: UnitTree
    answers: AnswerIndex = field(init=False)  # free text: FAQ, tips and rules in one search
    _questions: dict[tuple[str, int], dict[str, Question]] = field(init=False)
    archive: dict[tuple[str, int], QuestionSet] = field(default_factory=dict)
    revision: int = 0  # the contest's revision this was read at

    def __post_init__(self) -> None:
        self.answers = AnswerIndex(items_of(self.faq, self.tips, self.rules, self.contest.topics))
        self._questions = {}
        for qs in [*self.sets.values(), *self.archive.values()]:
            self._questions[(qs.name, qs.version)] = qs.by_id()

    @classmethod
    def from_pack(cls, pack: ContestPack) -> ContestRuntime:
        return cls(pack.contest, {s.name: s for s in pack.question_sets}, pack.rules_version,
                   pack.rules, pack.tips, pack.faq, UnitTree(pack.units))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.contest.timezone)

    def questions(self, set_name: str, version: int) -> dict[str, Question]:
        """Questions of one version of a set, as frozen on attempts that used it."""
        return self._questions[(set_name, version)]
