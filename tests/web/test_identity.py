"""The browser cookie: a random id only this server can sign, and a secret kept across restarts."""
from __future__ import annotations

import stat
from pathlib import Path

from bot.config import Settings
from bot.web.identity import BrowserIds, web_secret


def test_a_generated_secret_is_written_once_privately_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "data" / "web_secret"
    first = web_secret(Settings(web_secret=None), path=path)
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert web_secret(Settings(web_secret=None), path=path) == first


def test_a_configured_secret_wins_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "web_secret"
    assert web_secret(Settings(web_secret="from-env"), path=path) == "from-env"
    assert not path.exists()


def test_only_cookies_signed_with_this_secret_are_believed() -> None:
    ids = BrowserIds("one secret")
    browser_id, cookie = ids.issue()
    assert ids.verify(cookie) == browser_id
    assert BrowserIds("another secret").verify(cookie) is None
    for forged in ("", browser_id, f"{browser_id}.", f"x{cookie}", cookie + "x", "é." * 10, "a" * 200):
        assert ids.verify(forged) is None


def test_every_browser_gets_its_own_id() -> None:
    ids = BrowserIds("s")
    assert len({ids.issue()[0] for _ in range(100)}) == 100
