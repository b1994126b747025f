"""A malformed pack is refused whole, with messages naming the file and the question."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.content import read_pack
from quiz.problems import Invalid

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "pack"


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(FIXTURE, target)
    return target


def edit_question(pack: Path, index: int, **changes: object) -> None:
    path = pack / "questions" / "all.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["questions"][index].update(changes)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def problems(pack: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(Invalid) as caught:
        read_pack(pack)
    return [(p.file, p.where, p.code) for p in caught.value.problems]


def test_the_fixture_pack_is_valid() -> None:
    pack = read_pack(FIXTURE)
    assert pack.contest.slug == "thu-nghiem" and len(pack.question_sets[0].questions) == 15


@pytest.mark.parametrize(("changes", "code"), [
    ({"answer": "F"}, "bad_answer"),
    ({"answer": None}, "bad_answer"),
    ({"options": ["Một", "một", "Hai"]}, "duplicate_options"),
    ({"options": ["Chỉ một"]}, "option_count"),
    ({"text": "x" * 301}, "question_too_long"),
    ({"options": ["a" * 101, "b", "c"]}, "option_too_long"),
    ({"explanation": "e" * 201}, "explanation_too_long"),
    ({"text": ""}, "empty_question"),
    ({"text": "CÂU HỎI THỬ NGHIỆM SỐ 1: ĐÁP ÁN ĐÚNG LÀ PHƯƠNG ÁN NÀO?"}, "duplicate_question"),
])
def test_a_bad_question_is_named_by_file_and_id(pack: Path, changes: dict[str, object], code: str) -> None:
    edit_question(pack, 4, **changes)
    found = problems(pack)
    assert ("questions/all.yaml", "#5 (q-005)", code) in found


def test_an_unknown_topic_is_named_once_with_its_questions_and_the_accepted_topics(pack: Path) -> None:
    edit_question(pack, 4, topic="khong-co")
    edit_question(pack, 6, topic="khong-co")
    with pytest.raises(Invalid) as exc:
        read_pack(pack)
    unknown = [p for p in exc.value.problems if p.code.startswith("unknown_topic")]
    assert [(p.file, p.code) for p in unknown] == [("questions/all.yaml", "unknown_topics")]
    assert unknown[0].params["topics"] == "«khong-co» (#5 (q-005), #7 (q-007))"
    assert "vneid" in str(unknown[0].params["accepted"])


def test_a_topic_may_be_written_as_its_label(pack: Path) -> None:
    edit_question(pack, 4, topic="an toan thong tin")  # the label "An toàn thông tin", typed without accents
    question = next(q for q in read_pack(pack).question_sets[0].questions if q.id == "q-005")
    assert question.topic == "an-toan"


def test_broken_yaml_names_the_file(pack: Path) -> None:
    (pack / "faq.yaml").write_text("faq: [unclosed", encoding="utf-8")
    assert [f for f, _, code in problems(pack) if code == "unreadable_file"] == ["faq.yaml"]


def test_a_missing_file_is_reported(pack: Path) -> None:
    (pack / "tips.yaml").unlink()
    assert ("tips.yaml", "", "missing_file") in problems(pack)


def test_a_unit_whose_parent_is_unknown_is_reported_with_its_line(pack: Path) -> None:
    with (pack / "units.csv").open("a", encoding="utf-8") as f:
        f.write("T-X-1,Xã Lạc,T-X,xa,10\n")
    assert ("units.csv", "8", "unit_parent") in problems(pack)


def test_a_round_quota_larger_than_the_topic_is_reported(pack: Path) -> None:
    path = pack / "contest.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["rounds"][0]["topic_quotas"] = {"vneid": 9}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert ("contest.yaml", "rounds chinh", "topic_too_small") in problems(pack)


def test_a_pack_cannot_read_files_outside_its_folder(pack: Path) -> None:
    path = pack / "contest.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["tips"] = "../../../etc/passwd"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert any(code == "unreadable_file" for _, _, code in problems(pack))
