"""Free text as citizens type it, answered from the FAQ, the tips or the rules: without diacritics,
in shorthand, with a slip of the finger; directly when one answer is clearly best."""
from __future__ import annotations

import pytest

from quiz.model import FaqEntry, RulesSection, Tip
from quiz.search import AnswerIndex, Confidence, items_of, normalised, slips

FAQ = [
    FaqEntry("so-luot", {"vi": "Mỗi tuần được thi mấy lượt?"}, {"vi": "2 lượt."}, ("được thi mấy lượt", "số lượt thi")),
    FaqEntry("so-cau", {"vi": "Mỗi lượt có bao nhiêu câu hỏi?"}, {"vi": "20 câu."}, ("bao nhiêu câu hỏi",)),
    FaqEntry("giai", {"vi": "Có những giải thưởng nào?"}, {"vi": "Nhất, Nhì, Ba."}, ("giải thưởng", "có giải gì")),
    FaqEntry("mat-khau", {"vi": "Đặt mật khẩu thế nào cho an toàn?"}, {"vi": "Dài, riêng cho từng tài khoản."},
             ("mật khẩu mạnh",)),
    FaqEntry("thoi-gian", {"vi": "Cuộc thi diễn ra khi nào?"}, {"vi": "18/6–14/7/2024."}, ("thời gian thi",)),
]
TIPS = [Tip("tip-wifi", "ky-nang", {"vi": "Không đăng nhập ngân hàng khi dùng Wi-Fi công cộng không mật khẩu."}),
        Tip("tip-qr", "thanh-toan", {"vi": "Khi chuyển tiền bằng mã QR, đối chiếu tên người nhận trước khi xác nhận."})]
RULES = [RulesSection("doi-tuong", {"vi": "Đối tượng dự thi"}, {"vi": "Công dân sinh sống, làm việc ở tỉnh."}),
         RulesSection("tinh-diem", {"vi": "Cách tính điểm"}, {"vi": "Mỗi câu đúng 1 điểm."})]
INDEX = AnswerIndex(items_of(FAQ, TIPS, RULES, {"ky-nang": {"vi": "Kỹ năng số"}, "thanh-toan": {"vi": "Thanh toán"}}))


def test_shorthand_and_synonyms_are_written_one_way() -> None:
    assert normalised("Tôi thi mấy lần? ko dc à") == ["toi", "thi", "bao", "nhieu", "luot", "khong", "duoc"]
    assert normalised("quên mk, đổi sđt") == ["quen", "mat", "khau", "doi", "so", "dien", "thoai"]
    assert slips("gain", "gian") == 1 and slips("thuongg", "thuong") == 1 and slips("luot", "lan") == 3


@pytest.mark.parametrize(("query", "expected"), [
    ("Tôi có thể thi bao nhiêu lần?", "faq:so-luot"),  # "lần" is the FAQ's "lượt", not "bao nhiêu câu"
    ("toi co the thi bao nhieu lan", "faq:so-luot"),
    ("giai thuong gom nhung gi", "faq:giai"),
    ("dat mk ntn cho an toan", "faq:mat-khau"),
    ("thoi gain thi", "faq:thoi-gian"),  # two letters swapped
    ("giai thuongg", "faq:giai"),  # a letter doubled
    ("dung wifi cong cong co sao ko", "tip:tip-wifi"),
    ("quet ma qr chuyen tien can chu y gi", "tip:tip-qr"),
    ("cach tinh diem", "rules:tinh-diem"),
])
def test_a_clearly_best_answer_is_given_directly(query: str, expected: str) -> None:
    found = INDEX.find(query)
    assert (found.confidence, [f"{i.kind.value}:{i.id}" for i in found.items]) == (Confidence.SURE, [expected])


def test_an_faq_entry_is_not_in_competition_with_the_rules_section_saying_the_same() -> None:
    faq = FAQ + [FaqEntry("doi-tuong", {"vi": "Ai được dự thi?"}, {"vi": "Công dân."}, ("đối tượng dự thi",))]
    found = AnswerIndex(items_of(faq, TIPS, RULES, {})).find("doi tuong du thi")
    assert (found.confidence, [i.id for i in found.items]) == (Confidence.SURE, ["doi-tuong"])
    assert found.items[0].kind.value == "faq"


def test_two_faq_entries_that_really_compete_are_offered_as_did_you_mean() -> None:
    found = INDEX.find("bao nhieu luot va bao nhieu cau hoi")
    assert found.confidence is Confidence.UNSURE and {i.id for i in found.items} >= {"so-luot", "so-cau"}


@pytest.mark.parametrize("query", ["xin chào", "cam on nhe", "hôm nay trời đẹp quá", "alo", "???", "12345"])
def test_small_talk_gets_no_answer(query: str) -> None:
    assert INDEX.find(query).confidence is Confidence.NONE
