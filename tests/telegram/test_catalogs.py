"""Everything the Telegram channel says is in both catalogs, including the command menu."""
from __future__ import annotations

import re
from pathlib import Path

from bot.channels.telegram.commands import publish_commands
from bot.channels.telegram.sender import Sender
from bot.compose import App

from .fake_api import FakeTelegram

CHANNEL = Path(__file__).resolve().parents[2] / "bot" / "channels" / "telegram"


def channel_message_ids() -> set[str]:
    return {m for path in CHANNEL.rglob("*.py") for m in re.findall(r'Msg\("([^"]+)"',
                                                                    path.read_text(encoding="utf-8"))}


def test_every_message_of_the_channel_has_vietnamese_and_english(application: App) -> None:
    ids = channel_message_ids()
    assert {"telegram.share_phone", "telegram.private_only", "telegram.cmd.thele"} <= ids
    missing = [(locale, i) for i in sorted(ids) for locale in ("vi", "en") if not application.translator.has(locale, i)]
    assert missing == []


async def test_the_command_menu_is_set_in_vietnamese_english_and_by_default(
        application: App, sender: Sender, fake: FakeTelegram) -> None:
    await publish_commands(sender, application.translator)

    menus = {c.params.get("language_code"): c.params["commands"] for c in fake.delivered("setMyCommands")}
    assert set(menus) == {"vi", "en", None}
    for commands in menus.values():
        assert [c["command"] for c in commands] == ["start", "help", "thele", "meo", "ketqua", "bxh", "ngonngu"]
    assert {c["command"]: c["description"] for c in menus["vi"]}["thele"] == "Thể lệ cuộc thi"
    assert {c["command"]: c["description"] for c in menus["en"]}["thele"] == "Contest rules"
    assert menus[None] == menus["vi"]
