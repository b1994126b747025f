"""CSV files in the official layout, as Excel and Google Sheets save them."""
from __future__ import annotations

import pytest

from .files import HEADER, csv_text, load, q, shown

ROWS = [
    HEADER,
    [1, "Tài khoản định danh điện tử mức 2 do cơ quan nào cấp?", "Cơ quan Công an", "UBND xã, phường", "Bưu điện",
     "", "", "", "A", "Theo Nghị định 69/2024/NĐ-CP; xem thêm tại vneid.gov.vn.", "vneid"],
    [2, "Cổng Dịch vụ công quốc gia\ncó địa chỉ nào?", "vneid.gov.vn", "dichvucong.gov.vn", "", "", "", "", "B", "",
     "dvc"],
]
EXPECTED = [
    q("q2", ROWS[1][1], ROWS[1][2:5], 0, explanation=ROWS[1][9]),  # type: ignore[arg-type]
    q("q3", ROWS[2][1], ROWS[2][2:4], 1, topic="dvc"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("delimiter", "bom"), [(",", ""), (";", "\ufeff"), ("\t", "")])
def test_a_good_file_loads_whatever_the_delimiter_and_bom(delimiter: str, bom: str) -> None:
    questions, problems = load(bom + csv_text(ROWS, delimiter), "cau-hoi.csv")
    assert (questions, problems) == (EXPECTED, [])


def test_rows_are_numbered_as_a_spreadsheet_shows_them_even_after_a_multi_line_cell() -> None:
    rows = ROWS + [[3, "Câu ba?", "Có", "Không", "", "", "", "", "", "", ""]]
    _, problems = load(csv_text(rows, ";"), "cau-hoi.csv")
    assert shown(problems) == ["#4: Thiếu đáp án đúng."]


@pytest.mark.parametrize("encoding", ["cp1258", "latin-1"])
def test_a_file_not_saved_as_utf8_names_the_first_bad_line_and_the_fix(encoding: str) -> None:
    text = csv_text([["STT", "Cau hoi", "Dap an A", "Dap an B", "Dap an dung"], [1, "Ha Giang?", "Có", "Không", "A"]])
    questions, problems = load(text.encode(encoding, errors="replace"), "cau-hoi.csv")

    assert questions == []
    assert shown(problems) == ["#2: Tệp không ở mã UTF-8 (từ dòng 2): hãy lưu lại với kiểu «CSV UTF-8 (Comma "
                               "delimited)» hoặc mã UTF-8."]


def test_a_utf16_export_is_refused_too() -> None:
    _, problems = load(csv_text(ROWS).encode("utf-16"), "cau-hoi.csv")
    assert [p.code for p in problems] == ["not_utf8"]


def test_an_empty_file_or_a_header_alone_holds_no_questions() -> None:
    for text in ("", "\ufeff", "\r\n\r\n", csv_text([HEADER])):
        assert shown(load(text, "a.csv")[1]) == ["Tệp không có câu hỏi nào."]


def test_a_file_that_is_not_the_template_names_the_missing_columns() -> None:
    _, problems = load("ý kiến,x,y,z\nCâu?,Có,Không,A\n", "a.csv")
    assert shown(problems) == [
        "Thiếu cột «Câu hỏi» ở dòng tiêu đề.", "Thiếu cột «Đáp án A» ở dòng tiêu đề.",
        "Thiếu cột «Đáp án B» ở dòng tiêu đề.", "Thiếu cột «Đáp án đúng» ở dòng tiêu đề.",
        "#1: Cột A «ý kiến» không có trong mẫu: hãy sửa đúng tên cột hoặc xoá cột.",
        "#1: Cột B «x» không có trong mẫu: hãy sửa đúng tên cột hoặc xoá cột.",
        "#1: Cột C «y» không có trong mẫu: hãy sửa đúng tên cột hoặc xoá cột.",
        "#1: Cột D «z» không có trong mẫu: hãy sửa đúng tên cột hoặc xoá cột.",
    ]


@pytest.mark.parametrize("header", [
    "STT,Câu hỏi,Đáp án A,Đáp án B,Đáp án đúng",
    "Số TT,Nội dung câu hỏi,Phương án A,Phương án B,Đáp án",
    "TT,Nội dung,Lựa chọn A,Lựa chọn B,Phương án đúng",
    "No.,Question,A,B,Answer",
    "Câu số,Đề bài,Phương án trả lời A,Phương án trả lời B,Câu trả lời đúng",
])
def test_the_headers_question_banks_use_are_read_as_the_template_s(header: str) -> None:
    questions, problems = load(f"{header}\n1,Câu một?,Có,Không,A\n", "a.csv", default_topic="vneid")
    assert problems == [] and [(x.text, x.options, x.correct) for x in questions] == [("Câu một?", ("Có", "Không"), 0)]


@pytest.mark.parametrize("written", ["A", "a.", "Đáp án A", "1", "Có", "có"])
def test_the_right_answer_may_be_a_letter_a_number_or_the_option_itself(written: str) -> None:
    questions, problems = load(f"STT,Câu hỏi,Đáp án A,Đáp án B,Đáp án đúng\n1,Câu một?,Có,Không,{written}\n",
                               "a.csv", default_topic="vneid")
    assert problems == [] and questions[0].correct == 0


def test_a_formula_like_cell_stays_plain_text() -> None:
    rows = [HEADER, [1, "Kết quả của phép tính?", "=1+1", "=2*3", "", "", "", "", "A", "", ""]]
    questions, problems = load(csv_text(rows), "a.csv")
    assert problems == [] and questions[0].options == ("=1+1", "=2*3")
