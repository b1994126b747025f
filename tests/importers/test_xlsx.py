"""The official Excel file: what an organiser uploads and what they are told about it."""
from __future__ import annotations

from datetime import date

from openpyxl import Workbook

from quiz.model import Difficulty

from .files import HEADER, load, q, shown, xlsx

GOOD = [
    HEADER,
    [1, "Tài khoản định danh điện tử mức 2 do cơ quan nào cấp?", "Cơ quan Công an", "UBND xã", "Bưu điện",
     "Ngân hàng", None, None, "A", "Theo Nghị định 69/2024/NĐ-CP.", "vneid"],
    [2, "Cổng Dịch vụ công quốc gia có địa chỉ nào?", "vneid.gov.vn", "dichvucong.gov.vn", "chinhphu.vn",
     None, None, None, "b", None, "dvc"],
    [3, "Ứng dụng VNeID do đơn vị nào phát triển?", "Bộ Công an", "Bộ Y tế", None, None, None, None, "A", None, None],
]


def test_a_good_sheet_gives_every_question_with_rows_as_excel_numbers_them() -> None:
    questions, problems = load(xlsx(GOOD + [[None] * 11] * 3), "cau-hoi.xlsx")

    assert problems == []
    assert questions == [
        q("q2", GOOD[1][1], GOOD[1][2:6], 0, explanation="Theo Nghị định 69/2024/NĐ-CP."),  # type: ignore[arg-type]
        q("q3", GOOD[2][1], GOOD[2][2:5], 1, topic="dvc"),  # type: ignore[arg-type]
        q("q4", GOOD[3][1], ["Bộ Công an", "Bộ Y tế"], 0),  # no topic: the default one
    ]


def test_headers_are_matched_whatever_their_case_accents_spacing_and_notes() -> None:
    header = ["stt", "CÂU HỎI", "Dap an A", "Đáp  án   B", "Phương án C", "Đáp án D", "Đáp án đúng (A-F) *",
              "Giải Thích", "chu de", "Độ khó", "Nguồn", "Mã"]
    row = [1, "Câu hỏi?", "một", "hai", "ba", "bốn", " C ", "", "dvc", "Khó", "Luật 20/2023/QH15", "dvc-001"]
    questions, problems = load(xlsx([header, row]), "a.xlsx")

    assert problems == []
    assert questions == [q("dvc-001", "Câu hỏi?", ["một", "hai", "ba", "bốn"], 2, topic="dvc",
                           difficulty=Difficulty.HARD, source="Luật 20/2023/QH15")]


def test_a_title_above_the_header_and_rows_numbered_in_advance_are_ignored() -> None:
    rows = [["BỘ CÂU HỎI CUỘC THI XÂY DỰNG CÔNG DÂN SỐ"], [], HEADER,
            [1, "Câu một?", "Có", "Không", None, None, None, None, "A"], [2], [3]]
    questions, problems = load(xlsx(rows), "a.xlsx")

    assert problems == []
    assert [(x.id, x.text) for x in questions] == [("q4", "Câu một?")]


def test_a_row_without_its_correct_answer_is_named_by_its_row() -> None:
    rows = GOOD[:3] + [[4, "Câu bốn?", "Có", "Không"], GOOD[3]]
    questions, problems = load(xlsx(rows), "a.xlsx")

    assert shown(problems) == ["#4: Thiếu đáp án đúng."]
    assert len(questions) == 3


def test_an_answer_letter_beyond_the_options_names_the_row_and_the_letters_there_are() -> None:
    rows = [HEADER, [1, "Câu một?", "a", "b", "c", "d", None, None, "E"]]
    _, problems = load(xlsx(rows), "a.xlsx")

    assert shown(problems) == ["#2: Đáp án đúng «E» không hợp lệ: phải là một chữ cái trong ABCD."]


def test_empty_cells_between_options_and_duplicate_options_are_row_problems() -> None:
    rows = [HEADER,
            [1, "Câu một?", "a", "b", None, "d", None, None, "A"],
            [2, "Câu hai?", "Có", "có ", "Không", None, None, None, "A"],
            [3, None, "a", "b", None, None, None, None, "A"]]
    _, problems = load(xlsx(rows), "a.xlsx")

    assert shown(problems) == ["#2: Phương án C để trống.", "#3: Có hai phương án trả lời giống nhau.",
                               "#4: Nội dung câu hỏi để trống."]


def test_a_column_that_is_not_in_the_template_is_reported_not_dropped() -> None:
    rows = [HEADER + ["Đáp án G"], [1, "Câu một?", "a", "b", None, None, None, None, "A", None, None, "g"]]
    _, problems = load(xlsx(rows), "a.xlsx")

    assert shown(problems) == ["#1: Cột L «Đáp án G» không có trong mẫu: hãy sửa đúng tên cột hoặc xoá cột."]


def test_data_in_a_column_without_a_header_is_reported_once() -> None:
    rows = [HEADER, [1, "Câu một?", "a", "b", None, None, None, None, "A", None, None, None, "ghi chú"],
            [2, "Câu hai?", "a", "b", None, None, None, None, "A", None, None, None, "nữa"]]
    _, problems = load(xlsx(rows), "a.xlsx")

    assert shown(problems) == ["#2: Cột M có dữ liệu nhưng không có tên ở dòng tiêu đề."]


def test_missing_and_repeated_columns_are_named() -> None:
    rows = [["STT", "Câu hỏi", "Đáp án A", "Đáp án B", "Đáp án B", "Giải thích"], [1, "Câu?", "a", "b", "c", ""]]
    questions, problems = load(xlsx(rows), "a.xlsx")

    assert shown(problems) == ["Thiếu cột «Đáp án đúng» ở dòng tiêu đề.",  # the file as a whole first
                               "#1: Cột «Đáp án B» xuất hiện hai lần (cột D, E)."]
    assert questions == []


def test_formula_errors_are_named_by_their_cell_unless_only_the_numbering_is_broken() -> None:
    rows = [HEADER, [1, "Câu một?", "a", "#REF!", None, None, None, None, "A"],
            ["#REF!", "Câu hai?", "a", "b", None, None, None, None, "A"]]
    questions, problems = load(xlsx(rows), "a.xlsx")

    assert shown(problems) == ["#2: Ô D2 có lỗi công thức #REF!."]
    assert [x.text for x in questions] == ["Câu hai?"]


def test_a_formula_saved_without_its_value_is_named_instead_of_read_as_empty() -> None:
    rows = [HEADER, [1, "Câu một?", "=1+1", "3", None, None, None, None, "A"]]  # written by a program, not Excel
    _, problems = load(xlsx(rows), "a.xlsx")

    assert shown(problems) == ["#2: Ô C2 có công thức «=1+1» chưa được tính: hãy mở tệp bằng Excel rồi lưu lại."]


def test_numbers_and_dates_in_cells_read_as_the_organiser_typed_them() -> None:
    rows = [HEADER, [1, "Luật Giao dịch điện tử 2023 có hiệu lực từ ngày nào?", date(2024, 7, 1), date(2025, 1, 1),
                     2024.0, 0.5, None, None, "A", None, None]]
    questions, problems = load(xlsx(rows), "a.xlsx")

    assert problems == []
    assert questions[0].options == ("01/07/2024", "01/01/2025", "2024", "0.5")


def test_the_sheet_named_cau_hoi_is_read_even_when_it_is_not_first() -> None:
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Hướng dẫn"
    notes.append(["Điền câu hỏi ở trang sau"])
    sheet = book.create_sheet("Câu hỏi")
    for row in GOOD:
        sheet.append(row)
    import io
    out = io.BytesIO()
    book.save(out)

    questions, problems = load(out.getvalue(), "a.xlsx")
    assert problems == [] and len(questions) == 3


def test_a_file_that_is_not_a_workbook_is_refused_with_a_fix() -> None:
    for data in (b"STT,C\xe2u h\xe1\xbb\x8fi\n1,a\n", b"PK\x03\x04 broken zip", xlsx([])[:200]):
        questions, problems = load(data, "cau-hoi.xlsx")
        assert questions == []
        assert shown(problems) == ["Tệp không phải bảng tính Excel (.xlsx) hợp lệ: hãy mở bằng Excel và lưu lại "
                                   "dạng «Excel Workbook (.xlsx)»."]


def test_an_old_xls_file_is_told_to_be_saved_as_xlsx() -> None:
    for name in ("cau-hoi.xls", "cau-hoi.xlsx"):
        _, problems = load(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), name)
        assert [p.code for p in problems] == ["old_excel"]


def test_an_empty_workbook_says_it_holds_no_questions() -> None:
    for rows in ([], [HEADER], [HEADER, [1], [2]]):
        questions, problems = load(xlsx(rows), "a.xlsx")
        assert (questions, shown(problems)) == ([], ["Tệp không có câu hỏi nào."])


def test_a_topic_merged_down_several_rows_belongs_to_each_of_them() -> None:
    rows = [["STT", "Câu hỏi", "Đáp án A", "Đáp án B", "Đáp án đúng", "Chủ đề"],
            [1, "Câu một?", "Có", "Không", "A", "dvc"], [2, "Câu hai?", "Có", "Không", "B", None],
            [3, "Câu ba?", "Có", "Không", "A", "vneid"]]
    questions, problems = load(xlsx(rows, merged=["F2:F3"]), "a.xlsx", default_topic=None)
    assert problems == [] and [x.topic for x in questions] == ["dvc", "dvc", "vneid"]


def test_an_answer_heading_over_two_rows_is_read() -> None:
    rows = [["BỘ CÂU HỎI CUỘC THI", None, None, None, None, None, None],
            ["STT", "Câu hỏi", "Phương án trả lời", None, None, None, "Đáp án đúng"],
            [None, None, "A", "B", "C", "D", None],
            [1, "Câu một?", "Một", "Hai", "Ba", "Bốn", "C"]]
    questions, problems = load(xlsx(rows, merged=["A1:G1", "C2:F2"]), "a.xlsx")
    assert problems == [] and [(x.options, x.correct) for x in questions] == [(("Một", "Hai", "Ba", "Bốn"), 2)]


def test_options_merged_across_columns_are_named_once_by_their_range() -> None:
    rows = [HEADER, [1, "Câu một?", "Có hoặc không", None, None, None, None, None, "A"],
            [2, "Câu hai?", "Có", "Không", None, None, None, None, "A"]]
    questions, problems = load(xlsx(rows, merged=["C2:D2"]), "a.xlsx")
    assert shown(problems) == ["#2: Các ô C2:D2 được gộp theo hàng ngang: mỗi phương án phải nằm trong ô riêng "
                               "của nó — hãy bỏ gộp ô."]
    assert [x.text for x in questions] == ["Câu hai?"]
