"""Free-text questions answered from the FAQ, with and without diacritics."""
from __future__ import annotations

import pytest

from quiz.faq import Confidence, FaqIndex
from quiz.model import FaqEntry
from quiz.text import fold

ENTRIES = [
    FaqEntry("thoi-gian", {"vi": "Cuộc thi diễn ra khi nào?"}, {"vi": "4 tuần"}, ("thời gian thi", "khi nào thi")),
    FaqEntry("dang-ky", {"vi": "Đăng ký dự thi thế nào?"}, {"vi": "4 bước"}, ("đăng ký thế nào", "cách đăng ký")),
    FaqEntry("vneid", {"vi": "VNeID là gì?"}, {"vi": "ứng dụng"}, ("VNeID là gì", "ứng dụng VNeID")),
    FaqEntry("giai", {"vi": "Giải thưởng gồm những gì?"}, {"vi": "Nhất, Nhì"}, ("giải thưởng", "có giải gì")),
]


def test_accents_are_folded_and_d_bar_becomes_d() -> None:
    assert fold("Đăng ký ĐỒNG VĂN") == "dang ky dong van"


@pytest.mark.parametrize(("query", "expected"), [
    ("thoi gian thi", "thoi-gian"),
    ("Thời gian thi?", "thoi-gian"),
    ("dang ky the nao", "dang-ky"),
    ("ĐĂNG KÝ THẾ NÀO", "dang-ky"),
    ("VNeID la gi", "vneid"),
    ("vneid là gì vậy ạ", "vneid"),
    ("giai thuong", "giai"),
])
def test_a_confident_match_answers_with_or_without_diacritics(query: str, expected: str) -> None:
    match = FaqIndex(ENTRIES).match(query)
    assert match.confidence is Confidence.SURE
    assert match.entries[0].id == expected


def test_an_unsure_match_offers_at_most_three_choices() -> None:
    match = FaqIndex(ENTRIES).match("thời gian đăng ký")
    assert match.confidence is Confidence.UNSURE
    assert 1 < len(match.entries) <= 3


@pytest.mark.parametrize("query", ["xin chào", "hôm nay trời đẹp quá", "???", "12345"])
def test_unrelated_text_gets_no_answer(query: str) -> None:
    assert FaqIndex(ENTRIES).match(query).confidence is Confidence.NONE
