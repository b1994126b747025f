"""Use cases: each opens a unit of work, applies contest rules, commits, returns facts."""
from __future__ import annotations

from quiz.services.base import ServiceBase, UowFactory
from quiz.services.boards import BoardServices
from quiz.services.people import (
    CONSENT_VERSION,
    PURPOSE_CONTEST,
    PURPOSE_NEWS,
    PeopleServices,
    normalise_phone,
    valid_birth_year,
    valid_name,
)
from quiz.services.playing import AnswerOutcome, AttemptServices, Result


class Services(PeopleServices, AttemptServices):
    """The contest's use cases over one runtime and a unit-of-work factory."""


__all__ = ["CONSENT_VERSION", "PURPOSE_CONTEST", "PURPOSE_NEWS", "AnswerOutcome", "BoardServices", "Result",
           "ServiceBase", "Services", "UowFactory", "normalise_phone", "valid_birth_year", "valid_name"]
