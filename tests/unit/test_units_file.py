"""A units file may say where its names and figures come from in "#" lines above the header."""
from __future__ import annotations

from quiz.pack import parse_units

TEXT = """# Tên đơn vị: danh mục của Tổng cục Thống kê; dân số: Tổng điều tra 2019.
# Một dòng ghi chú nữa.
code,name,parent_code,kind,population,gso_code
HG,Tỉnh Hà Giang,,tinh,854679,02
HG-TP,Thành phố Hà Giang,HG,thanh-pho,55559,024
HG-TP-X,Xã Ngọc Đường,HG-TP,xa,nhiều,00700
"""


def test_comment_lines_above_the_header_are_skipped_and_rows_keep_their_line_numbers() -> None:
    units, problems = parse_units(TEXT, file="units.csv")
    assert [(u.code, u.population) for u in units] == [("HG", 854679), ("HG-TP", 55559)]
    assert [(p.where, p.code) for p in problems] == [("6", "unit_population")]
