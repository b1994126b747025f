"""`dcbot contest load`: a new contest stored whole; the same contest loaded again through the dashboard's
rules, said in a few plain lines."""
from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app as cli
from bot.compose import build
from bot.config import Settings
from rounds.people import play, register

PACK = Path(__file__).resolve().parents[1] / "fixtures" / "pack"


async def dcbot(db_url: str, *args: str) -> tuple[int, str]:
    result = await asyncio.to_thread(CliRunner().invoke, cli, list(args),
                                     env={"DATABASE_URL": db_url, "LOG_LEVEL": "WARNING", "WEB_SECRET": "test"})
    return result.exit_code, result.output


async def test_loading_a_pack_again_changes_what_it_may_and_refuses_the_rest(db_url: str, tmp_path: Path,
                                                                             clock) -> None:  # type: ignore[no-untyped-def]
    code, out = await dcbot(db_url, "contest", "load", str(PACK))
    assert code == 0 and "question set bo-thu: 15 questions, published as version 1" in out, out
    code, out = await dcbot(db_url, "contest", "load", str(PACK))
    assert code == 0 and "question set bo-thu: unchanged" in out, out

    copy = tmp_path / "pack"
    shutil.copytree(PACK, copy)
    contest = copy / "contest.yaml"
    contest.write_text(contest.read_text(encoding="utf-8").replace('{vi: "Vòng chính", en: "Main round"}',
                                                                   '{vi: "Vòng chính thức", en: "Main round"}'),
                       encoding="utf-8")
    code, out = await dcbot(db_url, "contest", "load", str(copy))
    assert code == 0 and "rounds changed: chinh" in out, out

    app = await build(Settings(database_url=db_url, contest_pack=PACK, redis_url=None, web_secret="test"),
                      clock=clock)
    try:
        await play(app, clock, await register(app, clock(), user="a", phone="0912345678"), right=5)
    finally:
        await app.close()
    contest.write_text(contest.read_text(encoding="utf-8").replace("time_limit_minutes: 10", "time_limit_minutes: 20",
                                                                   1), encoding="utf-8")
    code, out = await dcbot(db_url, "contest", "load", str(copy))
    assert code == 1 and "Vòng «chinh» đã có người thi" in out and "tạo vòng mới" in out, out
