"""Citizens as the contest knows them: chat accounts, participants, consent, and what a valid entry is."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from quiz.identity import may_be_under
from quiz.text import nfc

PURPOSE_CONTEST = "contest"  # process name, birth year, phone and unit to take part and be ranked
PURPOSE_PRIZES = "prizes"  # be contacted about a prize (by phone)
PURPOSE_NEWS = "news"  # receive tips and announcements
PURPOSES = (PURPOSE_CONTEST, PURPOSE_PRIZES, PURPOSE_NEWS)  # each asked on its own, none ticked beforehand
CONSENT_VERSION = "2026-12-01"  # the notice naming the organiser as controller, with rights and each purpose
_PHONE = re.compile(r"^(?:(?:\+|00)?840?|0)([35789][0-9]{8})$")  # +84, 0084 or 84, with or without the trunk 0
_SEPARATORS = re.compile(r"[\s.\-()/]")
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*$", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Account:
    """A chat account on one channel (telegram, zalo, web, console)."""

    id: int
    channel: str
    external_id: str
    participant_id: int | None
    locale: str | None


@dataclass(frozen=True, slots=True)
class Participant:
    id: int
    full_name: str
    birth_year: int | None
    phone: str | None
    unit_code: str | None
    referral: str | None
    registered_at: datetime
    erased: bool = False
    phone_verified_by: str | None = None  # telegram | zalo | code; None: typed (quiz.identity)
    withdrawn: bool = False  # withdrew their consent to take part: no more attempts, no ranking


@dataclass(frozen=True, slots=True)
class Consent:
    purpose: str
    granted: bool
    text_version: str
    at: datetime


@dataclass(frozen=True, slots=True)
class LinkCode:
    """A one-time code that lets another chat account join a participant."""

    code: str
    participant_id: int
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class TakingPartRefused(Exception):
    """No attempt may start: `reason` is withdrawn (consent to take part withdrawn), guardian (may be under
    16, no parent's or guardian's consent yet) or erased."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def taking_part_refusal(person: Participant | None, *, has_guardian: bool, today: date) -> str | None:
    """Why this participant may not start an attempt today (TakingPartRefused's reason), or None.
    `has_guardian` matters only where asks_guardian says so (storage need not be asked otherwise)."""
    if person is None or person.erased:
        return "erased"
    if person.withdrawn:
        return "withdrawn"
    if not has_guardian and asks_guardian(person, today):
        return "guardian"
    return None


def asks_guardian(person: Participant | None, today: date) -> bool:
    """Whether taking part needs a parent's or guardian's consent: the birth year says they may be under 16."""
    return person is not None and person.birth_year is not None and may_be_under(person.birth_year, today)


class PhoneTaken(Exception):
    """Another participant already registered this phone number."""


class AccountTaken(Exception):
    """The participant already has an account on that channel (one account per channel)."""


def normalise_phone(text: str) -> str | None:
    """A Vietnamese mobile number as 0XXXXXXXXX, or None: "+84 912 345 678", "+84 (0) 912-345-678",
    "0084912345678" and full-width digits all give "0912345678"."""
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    m = _PHONE.match(digits)
    return f"0{m.group(1)}" if m else None


def valid_name(text: str) -> str | None:
    """A full name of letters (two words or more), NFC, single-spaced; or None."""
    name = " ".join(nfc(text).split())
    if not 4 <= len(name) <= 80 or len(name.split()) < 2 or not _NAME.match(name):
        return None
    return name


def valid_birth_year(text: str, *, now: datetime) -> int | None:
    """A birth year of someone at least six years old, or None."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):  # "²" is a digit to str.isdigit, not to int()
        return None
    year = int(text)
    return year if 1900 <= year <= now.year - 6 else None
