"""The bank checks an organiser reads before signing a question bank: each finding names the question
and why, and a clean bank reports nothing."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from quiz.bank import check_bank
from quiz.bank.documents import citations
from quiz.model import Difficulty, Question, Round

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FILLER = ["Thanh toán hoá đơn tiền điện ở đâu?", "Mạng xã hội nào phổ biến nhất?", "Máy tính bảng dùng để làm gì?",
          "Chợ phiên Đồng Văn họp vào ngày nào?", "Cây chè Shan tuyết trồng ở vùng nào?",
          "Ruộng bậc thang Hoàng Su Phì đẹp nhất vào mùa nào?", "Cột cờ Lũng Cú nằm ở huyện nào?",
          "Đèo Mã Pí Lèng nối hai huyện nào?"]


def q(qid: str, text: str, options: tuple[str, ...], correct: int = 0, explanation: str = "",
      difficulty: Difficulty = Difficulty.MEDIUM, **kw: object) -> Question:
    return Question(qid, "chung", text, options, correct, explanation, "", difficulty, **kw)  # type: ignore[arg-type]


def fair(n: int) -> list[Question]:
    """Questions whose options are all as long as each other, about unrelated things."""
    return [q(f"f{i}", FILLER[i % len(FILLER)] + f" (câu {i})", (f"Phương án {i}A", f"Phương án {i}B",
                                                                 f"Phương án {i}C", f"Phương án {i}D"), i % 4)
            for i in range(n)]


def test_a_bank_whose_options_are_as_long_as_the_key_reports_nothing() -> None:
    report = check_bank(fair(8), tz=TZ)
    assert report.findings == () and report.longest == report.chance == 0.25


def test_an_answer_that_shows_by_its_length_is_named_with_the_score_of_picking_the_longest() -> None:
    telling = [q(f"t{i}", FILLER[i], ("Đúng vì đủ dài và có đủ chi tiết cụ thể", "Sai", "Không", "Chưa"))
               for i in range(4)]
    report = check_bank([*telling, *fair(4)], tz=TZ)
    assert report.longest == (4 + 4 * 0.25) / 8
    bias = [f for f in report.findings if f.code == "length_bias"]
    assert bias and bias[0].params["score"] == 62 and bias[0].params["count"] == 4
    assert {f.questions for f in report.findings if f.code == "longest_key"} == {("t0",), ("t1",), ("t2",), ("t3",)}


def test_a_question_whose_text_holds_another_ones_answer_gives_it_away() -> None:
    asked = q("da06-002", "Đề án 06 tập trung phát triển ứng dụng lĩnh vực nào?",
              ("Dữ liệu về dân cư, định danh và xác thực điện tử", "Dữ liệu đất đai và quy hoạch xây dựng",
               "Dữ liệu doanh nghiệp và đăng ký kinh doanh", "Thương mại điện tử và dịch vụ hậu cần"))
    giver = q("da06-001", "Đề án phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử (Đề án 06) "
              "được phê duyệt tại văn bản nào?", ("Quyết định 06/QĐ-TTg", "Quyết định 749/QĐ-TTg",
                                                   "Nghị định 59/2022/NĐ-CP", "Nghị quyết 52-NQ/TW"))
    found = [f for f in check_bank([asked, giver, *fair(6)], tz=TZ).findings if f.code.startswith("giveaway")]
    assert [(f.code, f.questions, f.params["other"]) for f in found] == [("giveaway", ("da06-001", "da06-002"),
                                                                          "da06-002")]


def test_an_explanation_that_holds_another_ones_answer_gives_it_away_too() -> None:
    asked = q("at-015", "Văn bản nào của Chính phủ quy định về bảo vệ dữ liệu cá nhân?",
              ("Nghị định 13/2023/NĐ-CP", "Nghị định 59/2022/NĐ-CP", "Nghị định 15/2020/NĐ-CP", "Nghị định 123/2020"))
    giver = q("at-032", "Cửa hàng đòi số căn cước và danh bạ của bạn. Bảo vệ dữ liệu cá nhân thế nào?",
              ("Hỏi rõ mục đích", "Đưa hết", "Cho xem danh bạ", "Dùng số của người thân"),
              explanation="Theo Nghị định 13/2023/NĐ-CP, dữ liệu cá nhân chỉ được xử lý đúng mục đích.")
    found = [f for f in check_bank([asked, giver, *fair(6)], tz=TZ).findings if f.code.startswith("giveaway")]
    assert [(f.code, f.questions) for f in found] == [("giveaway_explained", ("at-032", "at-015"))]


def test_a_word_shared_by_chance_is_no_giveaway() -> None:
    asked = q("a", "VNeID do cơ quan nào phát triển?", ("Bộ Công an", "Bộ Tài chính", "Bộ Y tế", "Bộ Xây dựng"))
    other = q("b", "Chợ phiên Đồng Văn có từ bao giờ, theo tài liệu của Bộ Công an?", ("1", "2", "3", "4"))
    assert not [f for f in check_bank([asked, other, *fair(6)], tz=TZ).findings if f.code.startswith("giveaway")]


def test_two_questions_asking_the_same_thing_with_the_same_answer_are_near_duplicates() -> None:
    one = q("vneid-001", "Ứng dụng định danh điện tử VNeID do cơ quan nào phát triển và quản lý?",
            ("Bộ Công an", "Bộ Thông tin và Truyền thông", "Văn phòng Chính phủ", "Ngân hàng Nhà nước"),
            explanation="VNeID do Bộ Công an phát triển và quản lý.")
    two = q("da06-004", "Cơ quan nào phát triển và quản lý ứng dụng định danh điện tử VNeID?",
            ("Bộ Công an", "Bộ Tài chính", "Bộ Nội vụ", "Bộ Tư pháp"),
            explanation="Bộ Công an phát triển và quản lý ứng dụng VNeID.")
    found = [f for f in check_bank([one, two, *fair(6)], tz=TZ).findings if f.code == "near_duplicate"]
    assert [(f.questions, f.params["other"]) for f in found] == [(("da06-004", "vneid-001"), "vneid-001")]


def _week(opens: datetime, **kw: object) -> Round:
    return Round("tuan-1", {"vi": "Tuần 1"}, "s", 4, timedelta(minutes=15), opens=opens,
                 closes=opens + timedelta(days=6), **kw)  # type: ignore[arg-type]


def test_a_question_citing_a_decree_signed_after_its_round_opened_is_named_with_the_round() -> None:
    cited = q("dvc-028", "Theo Nghị định 69/2024/NĐ-CP, tài khoản định danh điện tử có mấy mức độ?",
              ("2", "3", "4", "5"))
    found = check_bank([cited, *fair(6)], rounds=[_week(datetime(2024, 6, 18, 8, tzinfo=TZ))], tz=TZ).findings
    assert [(f.code, f.questions, f.params["document"], f.params["round"]) for f in found] == [
        ("newer_document", ("dvc-028",), "69/2024/NĐ-CP", "Tuần 1")]


def test_a_question_valid_only_from_the_decrees_date_serves_the_round_without_a_finding() -> None:
    cited = q("dvc-028", "Theo Nghị định 69/2024/NĐ-CP, tài khoản định danh điện tử có mấy mức độ?",
              ("2", "3", "4", "5"), valid_from=date(2024, 6, 25))
    found = check_bank([cited, *fair(6)], rounds=[_week(datetime(2024, 6, 18, 8, tzinfo=TZ))], tz=TZ).findings
    assert found == ()


def test_a_document_dated_in_the_text_or_known_only_by_its_year_is_still_recognised() -> None:
    found = citations("Theo Thông tư 99/2030/TT-BCA và Quyết định 12/QĐ-UBND ngày 02/01/2025, Luật Căn cước năm 2023")
    assert [(c.name, c.day, c.year) for c in found] == [
        ("99/2030/TT-BCA", None, 2030), ("12/QĐ-UBND", date(2025, 1, 2), 2025),
        ("Luật Căn cước 2023", date(2023, 11, 27), 2023)]


def test_papers_uneven_in_difficulty_are_named_with_quotas_that_would_even_them() -> None:
    levels = [Difficulty.EASY] * 10 + [Difficulty.MEDIUM] * 10 + [Difficulty.HARD] * 10
    bank = [q(f"q{i}", f"Câu hỏi số {i}?", (f"{i}a", f"{i}b", f"{i}c", f"{i}d"), difficulty=d)
            for i, d in enumerate(levels)]
    wide = Round("r", {"vi": "Vòng 1"}, "s", 12, timedelta(minutes=10))
    even = Round("r", {"vi": "Vòng 1"}, "s", 12, timedelta(minutes=10),
                 difficulty_quotas={"easy": 4, "medium": 4, "hard": 4})
    found = [f for f in check_bank(bank, rounds=[wide], tz=TZ).findings if f.code == "uneven_difficulty"]
    assert found and found[0].params["suggested"] == "easy=4, medium=4, hard=4"
    assert found[0].params["high"] - found[0].params["low"] >= 3  # type: ignore[operator]
    assert not [f for f in check_bank(bank, rounds=[even], tz=TZ).findings if f.code == "uneven_difficulty"]
