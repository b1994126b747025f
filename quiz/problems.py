"""Validation problems: where, what (a message id) and its parameters."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

PROBLEM_CODES = frozenset("""
    aiken_no_answer bad_answer bad_date bad_difficulty bad_levels bad_id bad_number bad_prizes bad_question_set
    bad_quotas bad_setting bad_time
    bad_timezone bad_topic cell_error closes_before_opens duplicate_column duplicate_id duplicate_options
    duplicate_question empty_file empty_option empty_question explanation_too_long gift_answer_marker
    gift_correct_count gift_essay gift_html gift_matching gift_no_answers gift_numerical gift_short_answer
    gift_text_after_answers gift_true_false gift_unclosed gift_weighted incomplete_entry live_set_too_small
    live_topic_too_small merged_cells missing_answer missing_column missing_file missing_key no_entries no_questions
    no_rounds not_a_mapping not_utf8 not_xlsx old_excel option_count option_order option_too_long question_too_long
    quotas_exceed_count set_too_small level_too_small valid_too_few validity_reversed levels_unmet live_levels_unmet
    live_valid_too_few
    syntax_error template_example text_too_long too_many_rows topic_too_small uncomputed_formula unexpected_line
    unit_incomplete unit_parent unit_population units_columns units_empty unknown_column unknown_format
    unknown_question_set unknown_topic unknown_topics unnamed_column unreadable_file
""".split())


_ROW = re.compile(r"^#(\d+)")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a file, e.g. ("questions/a.yaml", "vneid-003", "option_too_long")."""

    file: str
    where: str
    code: str
    params: Mapping[str, object] = field(default_factory=dict)
    row: int = 0  # the spreadsheet row or file line organisers see; 0 for the file as a whole
    number: str = ""  # the organiser's own number for that row (STT), when the file has one

    def __post_init__(self) -> None:
        if self.code not in PROBLEM_CODES:
            raise ValueError(f"unknown problem code {self.code}")
        if not self.row and (found := _ROW.match(self.where)):
            object.__setattr__(self, "row", int(found.group(1)))

    @property
    def message_id(self) -> str:
        return f"problem.{self.code}"


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Each problem once, file by file in the order they came, then by row (the whole file first)."""
    files: dict[str, int] = {}
    unique: dict[tuple[object, ...], Problem] = {}
    for p in problems:
        files.setdefault(p.file, len(files))
        unique.setdefault((p.file, p.where, p.code, tuple(sorted((k, str(v)) for k, v in p.params.items())),
                           p.row), p)
    return sorted(unique.values(), key=lambda p: (files[p.file], p.row))


class Invalid(Exception):
    """A file or pack failed validation; nothing from it was stored."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems
