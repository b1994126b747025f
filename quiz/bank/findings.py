"""One thing a bank check found: which kind (a message id), the questions it names, and why."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

KINDS = ("length_bias", "longest_key", "giveaway", "giveaway_explained", "near_duplicate", "uneven_difficulty",
         "newer_document")


@dataclass(frozen=True, slots=True)
class Finding:
    code: str  # one of KINDS
    questions: tuple[str, ...] = ()  # the ids it names, the one to fix first; none for the bank as a whole
    params: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in KINDS:
            raise ValueError(f"unknown finding {self.code}")

    @property
    def message_id(self) -> str:
        return f"bank.{self.code}"
