"""Files an organiser uploads or a pack ships: numbers no column can hold and digits that are not
0-9 are a problem named in the file, never a crash."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import aiohttp
import pytest

from admin.conftest import Visitor
from bot.content import read_pack
from quiz.problems import Invalid

from .conftest import Site, changed, stored

PACK = Path(__file__).resolve().parents[1] / "fixtures" / "pack"
HUGE_HEX = "0x" + "f" * 6000  # YAML reads it as an integer of 7,000 decimal digits


def _question(**fields: str) -> str:
    base = {"id": "q-x", "topic": "vneid", "difficulty": "easy", "text": "'Câu hỏi có một số rất lớn?'",
            "answer": "A", "explanation": "Giải thích.", "source": "Thử"}
    base |= fields
    lines = [f"  {k}: {v}" for k, v in base.items()]
    return "questions:\n- " + "\n".join(lines)[2:] + "\n  options:\n  - Đúng\n  - Sai một\n  - Sai hai\n"


async def _check(site: Site, visitor: Visitor, data: bytes, name: str) -> aiohttp.ClientResponse:
    form = aiohttp.FormData()
    assert visitor.csrf
    form.add_field("csrf_token", visitor.csrf)
    form.add_field("set", "bo-thu")
    form.add_field("topic", "")
    form.add_field("file", io.BytesIO(data), filename=name, content_type="application/octet-stream")
    return await visitor._call("POST", "/admin/import/check", data=form)


@pytest.mark.parametrize("fields", [{"answer": HUGE_HEX}, {"id": HUGE_HEX}, {"difficulty": HUGE_HEX},
                                    {"text": HUGE_HEX}, {"valid_from": HUGE_HEX}, {"topic": "9" * 5000}])
async def test_a_huge_integer_in_a_yaml_question_file_is_a_problem_on_the_import_page(
        site: Site, admin_visitor: Visitor, fields: dict[str, str]) -> None:
    await admin_visitor.get("/admin/import")
    before = await stored(site.app)
    response = await _check(site, admin_visitor, _question(**fields).encode(), "bo.yaml")
    assert response.status in (200, 422), admin_visitor.text[:500]
    assert "Không có gì được lưu" in admin_visitor.text or "lỗi" in admin_visitor.text
    assert changed(before, await stored(site.app)) == []


@pytest.mark.parametrize("population", ["²", "1²3", "١٢٣", "１２", "9" * 40])
def test_a_unit_population_in_other_digits_is_a_problem_of_the_pack(tmp_path: Path, population: str) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    lines = (pack / "units.csv").read_text(encoding="utf-8").splitlines()
    header, first, *rest = lines
    cells = first.split(",")
    cells[header.split(",").index("population")] = population
    (pack / "units.csv").write_text("\n".join([header, ",".join(cells), *rest]) + "\n", encoding="utf-8")
    with pytest.raises(Invalid) as refused:
        read_pack(pack)
    assert any(p.message_id == "problem.unit_population" or "population" in p.message_id
               for p in refused.value.problems), refused.value.problems
