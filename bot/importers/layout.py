"""The official spreadsheet layout: its columns in order, and the template's example rows."""
from __future__ import annotations

from dataclasses import dataclass

from quiz.model import LETTERS


@dataclass(frozen=True, slots=True)
class Column:
    """One column: the raw key it fills, its header in the template, and other names accepted."""

    key: str
    header: str
    width: int
    aliases: tuple[str, ...] = ()


# Headers as Vietnamese question banks word them (compared without accents, case or notes in brackets):
# the official template, provincial contest files and the import templates of common quiz platforms.
COLUMNS = (
    Column("number", "STT", 6, ("so thu tu", "so tt", "tt", "no", "cau so")),
    Column("text", "Câu hỏi", 60, ("noi dung cau hoi", "noi dung", "cau hoi trac nghiem", "de bai", "question",
                                   "noi dung cau")),
    *(Column(letter, f"Đáp án {letter}", 28, (
        f"phuong an {letter.lower()}", f"lua chon {letter.lower()}", f"phuong an tra loi {letter.lower()}",
        f"cau tra loi {letter.lower()}", letter.lower(), f"option {letter.lower()}", f"dap an {letter.lower()} ."))
      for letter in LETTERS),
    Column("answer", "Đáp án đúng", 12, ("dap an chinh xac", "dap an", "phuong an dung", "cau tra loi dung",
                                         "lua chon dung", "ket qua", "correct answer", "answer")),
    Column("explanation", "Giải thích", 40, ("giai thich dap an", "ghi chu", "huong dan", "loi giai",
                                             "explanation")),
    Column("topic", "Chủ đề", 16, ("linh vuc", "chuyen de", "nhom cau hoi", "nhom", "phan", "mang",
                                   "noi dung kien thuc", "topic")),
    Column("difficulty", "Độ khó", 10, ("muc do", "cap do", "muc do kho", "difficulty")),
    Column("source", "Nguồn", 30, ("can cu", "can cu phap ly", "nguon tham khao", "tai lieu tham khao", "van ban",
                                   "source")),
    Column("id", "Mã", 14, ("ma cau hoi", "ma cau", "id")),
    Column("valid_from", "Hiệu lực từ", 12, ("hieu luc tu ngay", "ap dung tu", "ap dung tu ngay", "tu ngay",
                                              "valid from")),
    Column("valid_until", "Hiệu lực đến", 12, ("hieu luc den ngay", "ap dung den", "ap dung den ngay", "den ngay",
                                                "het hieu luc", "valid until")),
)
REQUIRED = ("text", "A", "B", "answer")  # the others may be left out of an organiser's own file

EXAMPLES = (  # true statements, so a filled-in template teaches the tone; the reader refuses them verbatim
    {"number": "1", "text": "Tài khoản định danh điện tử mức độ 2 do cơ quan nào cấp?",
     "A": "Cơ quan Công an", "B": "Ủy ban nhân dân cấp xã", "C": "Bưu điện", "D": "Ngân hàng thương mại",
     "answer": "A", "explanation": "Cơ quan Công an cấp tài khoản định danh điện tử (Nghị định 69/2024/NĐ-CP).",
     "topic": "vneid", "difficulty": "Dễ", "source": "Nghị định 69/2024/NĐ-CP"},
    {"number": "2", "text": "Địa chỉ của Cổng Dịch vụ công quốc gia là gì?",
     "A": "dichvucong.gov.vn", "B": "vneid.gov.vn", "C": "chinhphu.vn",
     "answer": "A", "explanation": "Cổng Dịch vụ công quốc gia: https://dichvucong.gov.vn.",
     "topic": "dvc", "difficulty": "Trung bình", "source": "Cổng Dịch vụ công quốc gia"},
)


class ErrorValue(str):
    """A cell holding a formula error such as #REF! or #N/A."""

    code = "cell_error"


class UncomputedFormula(ErrorValue):
    """A formula cell saved without its value (files written by programs, not by Excel)."""

    code = "uncomputed_formula"


class MergedAcross(ErrorValue):
    """A cell of a range merged across columns: one text cannot fill a question's several columns."""

    code = "merged_cells"


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how the spreadsheet names a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
