"""`dcbot questions check`: the bank checks in a terminal, on the set being served or on a file."""
from __future__ import annotations

import asyncio
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app as cli

ROOT = Path(__file__).resolve().parents[2]


async def dcbot(db_url: str, pack: Path, *args: str) -> tuple[int, str]:
    env = {"DATABASE_URL": db_url, "CONTEST_PACK": str(pack), "LOG_LEVEL": "WARNING", "TELEGRAM_BOT_TOKEN": "",
           "ZALO_APP_ID": ""}
    result = await asyncio.to_thread(CliRunner().invoke, cli, ["questions", "check", *args], env=env)
    return result.exit_code, result.output


async def test_the_served_set_is_checked_in_vietnamese_and_findings_do_not_fail_the_command(db_url: str) -> None:
    code, out = await dcbot(db_url, ROOT / "tests" / "fixtures" / "pack", "--set", "bo-thu")
    assert code == 0, out
    assert out.splitlines()[0].startswith("Kiểm tra ngân hàng câu hỏi «bo-thu»: 15 câu")


async def test_a_file_is_checked_before_it_is_imported(db_url: str, tmp_path: Path) -> None:
    file = tmp_path / "bo.yaml"
    file.write_text("questions:\n" + "".join(
        f"  - {{text: 'Câu hỏi số {i} về dịch vụ công?', options: ['Đúng vì đủ chi tiết theo quy định {i}', 'Sai',"
        f" 'Không', 'Chưa'], answer: A, topic: vneid}}\n" for i in range(12)), encoding="utf-8")
    code, out = await dcbot(db_url, ROOT / "tests" / "fixtures" / "pack", str(file), "--set", "bo-thu")
    assert code == 0, out
    assert "luôn chọn phương án dài nhất đúng khoảng 100% số câu" in out
    assert "q12: Đáp án đúng là phương án dài nhất" in out


async def test_an_unknown_set_is_a_real_error(db_url: str) -> None:
    code, out = await dcbot(db_url, ROOT / "tests" / "fixtures" / "pack", "--set", "khong-co")
    assert code == 1 and "Không có bộ câu hỏi «khong-co». Các bộ đã xuất bản: bo-thu." in out
