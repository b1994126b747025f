"""Numbers where the engine expects them: only the digits 0-9 count; anything else is "not a number",
never a crash (str.isdigit() says yes to "²", "١" and "１", int() says no to "²")."""
from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from quiz.conversation.playing import typed_number
from quiz.people import valid_birth_year
from quiz.text import whole_number

NOW = datetime(2024, 6, 20, tzinfo=UTC)
digits_of_all_kinds = st.text(st.sampled_from("0123456789²³¹١٢٣۴५১๒１２⁰₀ .,-+"), max_size=25)


@given(digits_of_all_kinds)
def test_a_whole_number_is_ascii_digits_or_nothing(text: str) -> None:
    found = whole_number(text)
    bare = text.strip()
    assert found is None or (bare.isascii() and bare.isdigit() and found == int(bare))


@given(digits_of_all_kinds)
def test_a_birth_year_or_a_prediction_never_crashes(text: str) -> None:
    year = valid_birth_year(text, now=NOW)
    assert year is None or 1900 <= year <= 2018
    guess = typed_number(text)
    assert guess is None or guess >= 0


def test_superscripts_and_other_scripts_are_not_counts() -> None:
    assert [whole_number(t) for t in ("²", "1²", "١٢", "１２", "9" * 19, " 42 ")] == [None] * 5 + [42]
    assert valid_birth_year("19²0", now=NOW) is None and valid_birth_year("1990", now=NOW) == 1990
