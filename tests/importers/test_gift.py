"""GIFT files, multiple-choice subset: good ones load; other question types are refused by name."""
from __future__ import annotations

import pytest

from .files import load, q, shown

GOOD = r"""// Bộ câu hỏi tuần 1
$CATEGORY: $course$/Cuộc thi/vneid

::Câu 1:: Tài khoản định danh điện tử mức 2 do cơ quan nào cấp? {
  =Cơ quan Công an #Đúng: Nghị định 69/2024/NĐ-CP
  ~Ủy ban nhân dân xã
  // a wrong answer some organisers pick
  ~Bưu điện
}

::Câu 2::[plain]Trong GIFT, ký tự \{ \} \= \~ \# \: được viết thế nào? {~Không viết được ~Bỏ qua =Thêm dấu \\ phía trước ####Dấu \\ giữ nguyên ký tự.}

$CATEGORY: dvc
Cổng Dịch vụ công quốc gia có địa chỉ nào?
{

~vneid.gov.vn
=dichvucong.gov.vn
}
"""


def test_a_good_file_gives_every_question_with_topic_escapes_and_explanations() -> None:
    questions, problems = load(GOOD, "tuan-1.gift", default_topic="dvc")

    assert problems == []
    assert questions == [
        q("q4", "Tài khoản định danh điện tử mức 2 do cơ quan nào cấp?",
          ["Cơ quan Công an", "Ủy ban nhân dân xã", "Bưu điện"], 0, explanation="Đúng: Nghị định 69/2024/NĐ-CP"),
        q("q11", r"Trong GIFT, ký tự { } = ~ # : được viết thế nào?",
          ["Không viết được", "Bỏ qua", "Thêm dấu \\ phía trước"], 2, explanation="Dấu \\ giữ nguyên ký tự."),
        q("q14", "Cổng Dịch vụ công quốc gia có địa chỉ nào?", ["vneid.gov.vn", "dichvucong.gov.vn"], 1, topic="dvc"),
    ]


def test_without_a_category_questions_take_the_topic_chosen_for_the_import() -> None:
    questions, problems = load("Câu hỏi? { =Có ~Không }", "a.gift", default_topic="dvc")
    assert problems == [] and questions[0].topic == "dvc"


def test_two_correct_answers_are_refused_by_line() -> None:
    text = "Câu một? { =Có ~Không }\n\nCâu hai?\n{ =Có =Đúng ~Không }\n"
    questions, problems = load(text, "a.gift")

    assert shown(problems) == ["#3: Có 2 đáp án đúng «=»; câu trắc nghiệm cần đúng một."]
    assert [x.text for x in questions] == ["Câu một?"]


@pytest.mark.parametrize(("answers", "told"), [
    ("{T}", "Câu Đúng/Sai («{T}», «{F}») chưa được hỗ trợ; hãy viết thành «{ =Đúng ~Sai }»."),
    ("{FALSE#Sai rồi}", "Câu Đúng/Sai («{T}», «{F}») chưa được hỗ trợ; hãy viết thành «{ =Đúng ~Sai }»."),
    ("{=Hà Giang =Ha Giang}", "Câu trả lời ngắn (chỉ có «=», không có phương án sai «~») chưa được hỗ trợ."),
    ("{#2024:1}", "Câu trả lời bằng số («{#…}») chưa được hỗ trợ; chỉ nhận câu trắc nghiệm «{ =đúng ~sai ~sai }»."),
    ("{=VNeID -> Bộ Công an =DVC -> Văn phòng Chính phủ}",
     "Câu ghép cặp («->») chưa được hỗ trợ; chỉ nhận câu trắc nghiệm «{ =đúng ~sai ~sai }»."),
    ("{}", "Câu tự luận («{ }» để trống) chưa được hỗ trợ; chỉ nhận câu trắc nghiệm «{ =đúng ~sai ~sai }»."),
    ("{~%50%Có ~%50%Đúng ~%-100%Không}",
     "Phương án có trọng số («%50%») chưa được hỗ trợ; câu hỏi cần đúng một đáp án «=»."),
    ("{~Có ~Không}", "Có 0 đáp án đúng «=»; câu trắc nghiệm cần đúng một."),
    ("{Có ~Không}", "Mỗi phương án phải bắt đầu bằng «=» (đúng) hoặc «~» (sai)."),
    ("{=Có ~Không} thì sao?",
     "Có chữ sau dấu «}»: câu điền khuyết chưa được hỗ trợ, hoặc thiếu dòng trống giữa hai câu."),
    ("{=Có ~Không", "Khối đáp án mở bằng «{» nhưng thiếu «}»."),
    ("", "Không có khối đáp án «{ … }»."),
])
def test_unsupported_question_types_are_named_instead_of_guessed(answers: str, told: str) -> None:
    questions, problems = load(f"// tuần 2\n::Câu 5:: Câu hỏi? {answers}\n", "a.gift")
    assert (questions, shown(problems)) == ([], [f"#2: {told}"])


def test_html_questions_are_refused_rather_than_shown_with_tags() -> None:
    _, problems = load("[html]<b>Câu hỏi?</b> {=Có ~Không}", "a.gift")
    assert shown(problems) == ["#1: Định dạng [html] chưa được hỗ trợ; hãy viết chữ thường, không có thẻ HTML."]


def test_a_category_that_is_no_topic_of_the_contest_is_named() -> None:
    _, problems = load("$CATEGORY: $course$/Định danh\n\nCâu? {=Có ~Không}", "a.gift")
    assert shown(problems) == ["Chủ đề chưa được khai báo: «Định danh» (#3). Các chủ đề dùng được (mã hoặc tên): "
                               "dvc, vneid."]


def test_a_file_of_comments_only_holds_no_questions() -> None:
    _, problems = load("// chưa có câu hỏi\n\n// sẽ bổ sung\n", "a.gift")
    assert shown(problems) == ["Tệp không có câu hỏi nào."]
