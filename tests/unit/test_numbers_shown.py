"""Numbers in messages read as Babel writes them in each language ("1.234" in Vietnamese, "1,234" in
English), the small ones included, which skip Babel for speed."""
from __future__ import annotations

from pathlib import Path

from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import Translator

ROOT = Path(__file__).resolve().parents[2]
TRANSLATOR = Translator(ROOT / "locales")


@given(st.integers(min_value=-10**9, max_value=10**9))
def test_every_number_is_written_as_babel_writes_it_in_both_languages(n: int) -> None:
    assert TRANSLATOR.value(n, "vi") == format_decimal(n, locale="vi_VN")
    assert TRANSLATOR.value(n, "en") == format_decimal(n, locale="en_GB")


def test_thousands_are_grouped_the_vietnamese_way() -> None:
    assert TRANSLATOR.value(133281, "vi") == "133.281"
    assert TRANSLATOR.value(999, "vi") == "999"
