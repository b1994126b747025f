"""JSON and YAML question files: the pack's own format, or a bare list."""
from __future__ import annotations

import json

import yaml

from .files import load, q, shown

ENTRIES = [
    {"id": "vneid-001", "topic": "vneid", "difficulty": "easy", "text": "VNeID là gì?",
     "options": ["Ứng dụng định danh điện tử", "Mạng xã hội"], "answer": "A",
     "explanation": "Do Bộ Công an phát triển.", "source": "Nghị định 69/2024/NĐ-CP"},
    {"text": "Cổng Dịch vụ công quốc gia có địa chỉ nào?", "options": ["vneid.gov.vn", "dichvucong.gov.vn"],
     "answer": "b"},
]
EXPECTED = [
    q("vneid-001", "VNeID là gì?", ["Ứng dụng định danh điện tử", "Mạng xã hội"], 0,
      explanation="Do Bộ Công an phát triển.", source="Nghị định 69/2024/NĐ-CP", difficulty="easy"),
    q("q2", "Cổng Dịch vụ công quốc gia có địa chỉ nào?", ["vneid.gov.vn", "dichvucong.gov.vn"], 1, topic="dvc"),
]


def test_the_packs_yaml_format_and_a_bare_json_list_give_the_same_questions() -> None:
    as_yaml = yaml.safe_dump({"questions": ENTRIES}, allow_unicode=True)
    as_json = json.dumps(ENTRIES, ensure_ascii=False)
    for data, name in ((as_yaml, "a.yaml"), (as_yaml, "a.yml"), (as_json, "a.json")):
        assert load(data, name, default_topic="dvc") == (EXPECTED, [])


def test_a_syntax_error_names_its_line_and_column() -> None:
    assert shown(load('[{"text": "Câu?",\n  "options": ["a" "b"]}]', "a.json")[1]) == [
        "Lỗi cú pháp ở dòng 2, cột 19: Expecting ',' delimiter."]
    misaligned = "questions:\n  - text: Câu?\n   options: [a, b]\n"
    assert [(p.params["line"], p.params["column"]) for p in load(misaligned, "a.yaml")[1]] == [("3", "4")]


def test_a_mapping_without_a_questions_list_and_an_empty_file_are_named() -> None:
    assert shown(load("title: Bộ câu hỏi\n", "a.yaml")[1]) == ["Tệp không có danh sách «questions»."]
    assert shown(load("questions: []\n", "a.yaml")[1]) == ["Tệp không có câu hỏi nào."]
    assert shown(load("# chỉ có ghi chú\n", "a.yaml")[1]) == ["Tệp không có câu hỏi nào."]


def test_yaml_aliases_are_refused_so_a_small_file_cannot_expand_into_a_huge_one() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nquestions: [*b]\n"
    assert [p.code for p in load(bomb, "a.yaml")[1]] == ["syntax_error"]


def test_an_entry_that_is_not_a_mapping_is_named_by_its_place() -> None:
    _, problems = load(json.dumps([ENTRIES[0], "Câu hỏi?"]), "a.json")
    assert shown(problems) == ["#2: Dữ liệu không đúng cấu trúc (cần các cặp khoá: giá trị)."]
