"""Link codes as the core reads them: typed loosely, drawn unpredictably, refused for clear reasons."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quiz.linking import CODE_ALPHABET, CODE_LENGTH, Refusal, new_code, normalise_code, refusal, shown
from quiz.ports import Account, LinkCode

NOW = datetime(2024, 6, 20, 1, 30, tzinfo=UTC)


def test_a_code_is_read_however_it_is_typed() -> None:
    assert normalise_code("abcd-efgh") == "ABCDEFGH"
    assert normalise_code(" ABCD EFGH ") == "ABCDEFGH"
    assert normalise_code("0ILO-2345") == "0110" + "2345"  # O read as zero, I and L as one


def test_what_cannot_be_a_code_is_not_one() -> None:
    assert normalise_code("ABCDEFG") is None
    assert normalise_code("ABCDEFGHJ") is None
    assert normalise_code("ABCD-EFGU") is None  # U is not in the alphabet
    assert normalise_code("Nguyễn Văn An") is None


def test_new_codes_are_eight_letters_of_the_alphabet_and_shown_in_two_groups() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert shown("ABCDEFGH") == "ABCD-EFGH"


def _link(**kw: object) -> LinkCode:
    base: dict[str, object] = {"code": "ABCDEFGH", "participant_id": 1, "created_at": NOW,
                               "expires_at": NOW + timedelta(minutes=10)}
    return LinkCode(**{**base, **kw})  # type: ignore[arg-type]


def test_a_code_links_only_a_fresh_account_before_it_expires_and_only_once() -> None:
    fresh = Account(9, "zalo", "z1", None, None)
    assert refusal(_link(), account=fresh, now=NOW) is None
    assert refusal(_link(), account=fresh, now=NOW + timedelta(minutes=10)) is Refusal.INVALID
    assert refusal(_link(used_at=NOW), account=fresh, now=NOW) is Refusal.INVALID
    assert refusal(None, account=fresh, now=NOW) is Refusal.INVALID
    assert refusal(_link(), account=Account(9, "zalo", "z1", 1, None), now=NOW) is Refusal.ALREADY
    assert refusal(_link(), account=Account(9, "zalo", "z1", 2, None), now=NOW) is Refusal.OWN
