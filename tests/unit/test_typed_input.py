"""What citizens type is read as they mean it: phone numbers in every usual spelling, unit names with
abbreviations and slips, and names shown to others by one rule."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import read_pack
from quiz.people import normalise_phone
from quiz.privacy import public_name
from quiz.unit_search import find_units
from quiz.units import UnitTree

HA_GIANG = Path(__file__).resolve().parents[2] / "content" / "ha-giang"


@pytest.fixture(scope="module")
def ha_giang() -> UnitTree:
    return UnitTree(read_pack(HA_GIANG).units)


def found(tree: UnitTree, text: str) -> list[str]:
    return [f.unit.name for f in find_units(tree, text)]


@pytest.mark.parametrize("typed", ["0912345670", "+84 0912345670", "+84 912 345 670", "0084912345670",
                                   "84912345670", "+84 (0) 912 345 670", "+84-912-345-670", "0912.345.670",
                                   "０９１２３４５６７０", "＋８４ ９１２ ３４５ ６７０", "0912 345 670"])
def test_a_mobile_number_is_read_in_every_usual_spelling(typed: str) -> None:
    assert normalise_phone(typed) == "0912345670"


@pytest.mark.parametrize("typed", ["912345670", "091234567", "09123456700", "0212345678", "+1 912 345 670",
                                   "٠٩١٢٣٤٥٦٧٠", "hai không", ""])
def test_what_is_not_a_vietnamese_mobile_number_is_refused(typed: str) -> None:
    assert normalise_phone(typed) is None


def test_a_unit_is_found_by_its_usual_abbreviation(ha_giang: UnitTree) -> None:
    assert found(ha_giang, "TP Ha Giang") == ["Thành phố Hà Giang"]
    assert found(ha_giang, "tp. hà giang") == ["Thành phố Hà Giang"]
    assert found(ha_giang, "H. Đồng Văn") == ["Huyện Đồng Văn", "Thị trấn Đồng Văn"]  # the district first
    assert found(ha_giang, "TT Dong Van") == ["Thị trấn Đồng Văn", "Huyện Đồng Văn"]
    assert found(ha_giang, "X. Tan Tien") == ["Xã Tân Tiến"]


def test_one_letter_wrong_missing_or_extra_still_finds_the_unit(ha_giang: UnitTree) -> None:
    assert found(ha_giang, "Dong Vann") == ["Huyện Đồng Văn", "Thị trấn Đồng Văn"]
    assert found(ha_giang, "Meo Vacc") == ["Huyện Mèo Vạc", "Thị trấn Mèo Vạc"]
    assert found(ha_giang, "Hoang Su Phi") == found(ha_giang, "Hoang Su Phii")


def test_a_short_word_matches_whole_words_only_and_every_match_is_returned(ha_giang: UnitTree) -> None:
    tan = found(ha_giang, "Tan")
    assert len(tan) == 9 and "Xã Tân Tiến" in tan  # not "Trần", which is one letter away
    assert all("Tân" in name for name in tan)


def test_a_name_being_typed_matches_by_its_start(ha_giang: UnitTree) -> None:
    assert found(ha_giang, "Dong V") == ["Huyện Đồng Văn", "Thị trấn Đồng Văn"]


def test_nothing_typed_finds_nothing(ha_giang: UnitTree) -> None:
    assert found(ha_giang, "  ") == [] and found(ha_giang, "xyz qwe") == []


@pytest.mark.parametrize(("full", "shown"), [("Nguyễn Văn An", "N. V. An"), ("Lê Hoa", "L. Hoa"),
                                             ("John Smith", "J. Smith"), ("Nguyễn Thị Minh Khai", "N. T. M. Khai"),
                                             ("An", "An")])
def test_every_name_is_shown_to_others_the_same_way(full: str, shown: str) -> None:
    assert public_name(full) == shown
