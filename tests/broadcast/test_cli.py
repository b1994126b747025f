"""`dcbot broadcast send` and `dcbot broadcast status`, against a pretend Bot API over HTTP."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app as cli
from bot.compose import App
from telegram.conftest import TOKEN
from telegram.fake_server import FakeBotApiServer
from zalo.fake_server import FakeZalo
from zalo.harness import APP_ID, APP_SECRET, OA_SECRET

from .conftest import at, citizen, messaged, set_account

PACK = Path(__file__).resolve().parents[1] / "fixtures" / "pack"


async def dcbot(db_url: str, *args: str, api: str | None = None, zalo: str | None = None) -> tuple[int, str]:
    """Run the command in a thread (it runs its own event loop), as an admin would in a terminal."""
    env = {"DATABASE_URL": db_url, "CONTEST_PACK": str(PACK), "LOG_LEVEL": "WARNING",
           "TELEGRAM_BOT_TOKEN": TOKEN if api else "", "TELEGRAM_API_BASE": api or "", "ZALO_APP_ID": ""}
    if zalo:
        env |= {"ZALO_APP_ID": APP_ID, "ZALO_OA_SECRET_KEY": OA_SECRET, "ZALO_APP_SECRET": APP_SECRET,
                "ZALO_REFRESH_TOKEN": "RT-0", "ZALO_API_BASE": zalo, "ZALO_OAUTH_BASE": zalo}
    result = await asyncio.to_thread(CliRunner().invoke, cli, list(args), env=env)
    return result.exit_code, result.output


async def test_an_admin_broadcasts_from_the_terminal_and_reads_its_status(
        app: App, db_url: str, bot_api: FakeBotApiServer) -> None:
    await citizen(app, "7001")
    await citizen(app, "7002", locale="en")
    await citizen(app, "7003", news=False)
    zalo = await citizen(app, "zalo-7", channel="zalo")
    await set_account(app, zalo.id, last_seen_at=at(app) - timedelta(days=3))

    code, out = await dcbot(db_url, "broadcast", "send", "--kind", "tip", "--text", "Giữ bí mật mã OTP.",
                            "--text-en", "Never share your OTP.", api=bot_api.base)

    assert code == 0, out
    assert messaged(bot_api.fake) == {7001: 1, 7002: 1}
    assert "broadcast 1 (tip): done; 3 recipients: 2 sent, 0 failed, 1 skipped" in out
    code, out = await dcbot(db_url, "broadcast", "status", "1")
    assert code == 0 and "zalo_off: 1" in out
    code, out = await dcbot(db_url, "broadcast", "status", "99")
    assert code == 1 and "No broadcast 99" in out


async def test_without_a_channel_or_with_empty_text_nothing_is_sent(app: App, db_url: str,
                                                                    bot_api: FakeBotApiServer) -> None:
    await citizen(app, "7101")
    code, out = await dcbot(db_url, "broadcast", "send", "--text", "Xin chào")
    assert code == 2 and "TELEGRAM_BOT_TOKEN" in out
    code, out = await dcbot(db_url, "broadcast", "send", "--text", "  ", api=bot_api.base)
    assert code == 2 and "empty" in out
    assert messaged(bot_api.fake) == {} and await app.broadcasts.recent() == []


async def test_zalo_users_are_reached_inside_the_48_hour_window_only(app: App, db_url: str,
                                                                    bot_api: FakeBotApiServer,
                                                                    fake_zalo: FakeZalo) -> None:
    inside = await citizen(app, "zalo-in", channel="zalo")
    outside = await citizen(app, "zalo-out", channel="zalo")
    now = datetime.now(UTC)  # the terminal runs on the real clock
    await set_account(app, inside.id, last_seen_at=now - timedelta(hours=2))
    await set_account(app, outside.id, last_seen_at=now - timedelta(hours=50))
    await citizen(app, "7201")

    code, out = await dcbot(db_url, "broadcast", "send", "--text", "Vòng 2 đã mở.", api=bot_api.base,
                            zalo=fake_zalo.base)

    assert code == 0, out
    assert [s.user_id for s in fake_zalo.sent] == ["zalo-in"] and "Vòng 2 đã mở." in fake_zalo.sent[0].text
    assert messaged(bot_api.fake) == {7201: 1}
    assert "3 recipients: 2 sent, 0 failed, 1 skipped" in out
    assert "zalo_window: 1" in out and "1 Zalo users last wrote over 48 hours ago" in out
