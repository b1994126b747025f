"""Who a phone number belongs to, as far as the contest can tell, and who may take part.

One person, one quota: the number is the person. It is kept, after erasure, only as a keyed hash
(HMAC with a server secret: a stolen database alone does not give the numbers back), so that the same
number registered again continues the same quota and never brings back the old identity.

A number is *verified* when the chat platform vouched for it (Telegram's own-contact button, Zalo's
user-info form) or its owner typed back a one-time code sent to it; *typed* otherwise. A verified claim
takes a number over from a typed registration: a typed number proves nothing, so it cannot lock the
owner out."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PhoneSource(StrEnum):
    TYPED = "typed"
    TELEGRAM = "telegram"  # the contact Telegram sent from the citizen's own account
    ZALO = "zalo"  # the number in Zalo's user-info form
    CODE = "code"  # a one-time code sent by SMS, typed back

    @property
    def verified(self) -> bool:
        return self is not PhoneSource.TYPED

    @classmethod
    def stored(cls, value: str | None) -> PhoneSource:
        """The source as storage keeps it (None for typed)."""
        try:
            return cls(value) if value else cls.TYPED
        except ValueError:
            return cls.TYPED


class VerifiedRule(StrEnum):
    """What a contest asks of a number before it counts (the contest's `verified_phones` setting)."""

    OPTIONAL = "optional"  # typed numbers rank and win
    TO_WIN = "win"  # typed numbers rank, but a prize needs a verified number
    TO_RANK = "rank"  # only verified numbers rank at all


def ranks(rule: VerifiedRule, verified: bool) -> bool:
    return verified or rule is not VerifiedRule.TO_RANK


def may_win(rule: VerifiedRule, verified: bool) -> bool:
    return verified or rule is VerifiedRule.OPTIONAL


class PhoneKeys:
    """Keyed hashes of numbers: the same number gives the same key for one secret, and nothing else does."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"cds-phone-key:" + secret.encode()).digest()

    def __call__(self, phone: str) -> str:
        return hmac.new(self._key, phone.encode("ascii"), hashlib.sha256).hexdigest()


def takes_over(claim: PhoneSource, holder: PhoneSource) -> bool:
    """Whether a new claim of a registered number wins it: only a verified claim over a typed one."""
    return claim.verified and not holder.verified


GUARDIAN_UNDER = 16  # Law 91/2025/QH15 and Decree 13/2023: a child's data needs a parent's or guardian's consent
CHILD_AGREES_FROM = 7  # … and the child's own agreement from this age


def may_be_under(birth_year: int, today: date, age: int = GUARDIAN_UNDER) -> bool:
    """Whether someone born in `birth_year` may be younger than `age` today. Only the year is asked, so
    whoever turns `age` this year counts as younger until the year is out: the law errs the same way."""
    return today.year - birth_year <= age


@dataclass(frozen=True, slots=True)
class Guardian:
    """The parent or guardian who consented for a participant under GUARDIAN_UNDER."""

    full_name: str
    phone: str
    confirmed_by: str  # "code": they typed back the code sent to their phone; "declared": no SMS here
