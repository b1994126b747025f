"""`dcbot run` as an operator starts it: settings that cannot work are one line and exit 2, never a
traceback; several workers need Redis, one WEB_SECRET and a Telegram webhook."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app as cli

from .service import PACK, free_port

DCBOT = str(Path(sys.executable).with_name("dcbot"))


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`dcbot run` in an empty folder (no .env) with exactly these settings."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL")}
    base = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/db.sqlite", "CONTEST_PACK": str(PACK),
            "WEB_PORT": str(free_port()), "WEB_SECRET": "test"}
    return subprocess.run([DCBOT, "run", *args], cwd=tmp_path, env=keep | base | env, capture_output=True, text=True,
                          timeout=60, check=False)


def settings_env(tmp_path: Path, **env: str) -> dict[str, str]:
    unset = ("REDIS_URL", "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET", "ZALO_APP_ID",
             "ZALO_APP_SECRET", "ZALO_OA_SECRET_KEY", "LOG_FORMAT")
    return {**dict.fromkeys(unset, ""), "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/db.sqlite",
            "CONTEST_PACK": str(PACK), "WEB_PORT": str(free_port()), "WEB_SECRET": "test", "LOG_FORMAT": "text",
            **env}


def test_a_bad_setting_ends_the_process_with_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run(tmp_path, WEB_PORT="tám nghìn")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["configuration error: WEB_PORT: Input should be a valid integer, "
                                                "unable to parse string as an integer"]


@pytest.mark.parametrize(("env", "args", "says"), [
    ({"DATABASE_URL": "mysql://db/contest"}, (), "DATABASE_URL: mysql is not supported"),
    ({"LOG_FORMAT": "xml"}, (), "LOG_FORMAT: Input should be 'text' or 'json'"),
    ({"DATABASE_POOL_SIZE": "0"}, (), "DATABASE_POOL_SIZE: Input should be greater than or equal to 1"),
    ({"REDIS_URL": "redis://127.0.0.1:6379/14", "WEB_SECRET": ""}, (), "WEB_SECRET is not"),
    ({}, ("--workers", "3"), "--workers 3 needs REDIS_URL"),
    ({"REDIS_URL": "redis://127.0.0.1:6379/14", "TELEGRAM_BOT_TOKEN": "1:x"}, ("--workers", "2"),
     "needs TELEGRAM_WEBHOOK_URL"),
    ({"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_WEBHOOK_URL": "https://thi.example.vn"}, (),
     "TELEGRAM_WEBHOOK_SECRET is not"),
    ({"ZALO_APP_ID": "1", "ZALO_APP_SECRET": "s"}, (), "ZALO_OA_SECRET_KEY is not"),
    ({"TELEGRAM_INTAKE_PORT": "8081"}, (), "TELEGRAM_INTAKE_PORT is set but Telegram's webhook is not"),
    ({"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_WEBHOOK_URL": "https://thi.example.vn", "TELEGRAM_WEBHOOK_SECRET": "s",
      "WEB_PORT": "8080", "TELEGRAM_INTAKE_PORT": "8080"}, (), "TELEGRAM_INTAKE_PORT is WEB_PORT (8080)"),
])
def test_settings_that_cannot_work_are_one_clear_line_and_exit_2(tmp_path: Path, env: dict[str, str],
                                                                 args: tuple[str, ...], says: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    done = CliRunner().invoke(cli, ["run", *args], env=settings_env(tmp_path, **env))
    assert done.exit_code == 2, done.output
    errors = [line for line in done.output.splitlines() if line.startswith("configuration error: ")]
    assert len(errors) == 1 and says in errors[0], done.output
    assert not isinstance(done.exception, Exception) or isinstance(done.exception, SystemExit), done.exception


def test_workers_on_a_taken_port_are_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    """The port is checked before anything starts: another process on it is not shared with (SO_REUSEPORT
    lets our workers share a port, never with a process that did not ask to)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = run(tmp_path, "--workers", "2", WEB_HOST="127.0.0.1", WEB_PORT=str(taken.getsockname()[1]),
                   REDIS_URL=os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/14")
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("cannot listen on 127.0.0.1:"), done.stderr
    assert "(set WEB_HOST / WEB_PORT)" in done.stderr and "Traceback" not in done.stderr
