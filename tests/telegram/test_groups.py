"""In a group chat anyone may read (rules, tips, FAQ, leaderboard); everything personal moves to the private chat."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.channels.telegram.groups import group_command_allowed
from quiz.conversation.engine import COMMANDS

from .people import Citizen

GROUP = -1001234567890
PRIVATE_ONLY = "Mời bạn dự thi trong trò chuyện riêng với bot"


def test_the_commands_that_work_in_a_group_are_the_reading_ones() -> None:
    assert {name for name in COMMANDS if group_command_allowed(name)} == {
        "menu", "huy", "cancel", "help", "trogiup", "thele", "rules", "meo", "tips", "bxh", "leaderboard",
        "ngonngu", "language"}


@pytest.mark.parametrize("data", ["1|m:play", "1|m:join", "1|m:res", "1|m:data", "1|c:contest:y", "1|u:T-A",
                                  "1|uk:T-A-1", "1|up:T:1", "1|r:ok", "1|rd:chinh", "1|a:1:0:0", "1|fin:1",
                                  "1|ps:1", "1|d:erase!", "1|lk:ok"])
async def test_a_personal_button_pressed_in_a_group_points_to_the_private_chat(
        citizen: Callable[..., Citizen], data: str) -> None:
    member = citizen(user_id=3003, chat_id=GROUP)
    await member.send("/thele")

    await member.press(member.screen.last.message_id, data)

    assert member.screen.toasts() == [PRIVATE_ONLY]
    assert member.screen.last.buttons[0][0]["url"] == "https://t.me/cds_test_bot"


@pytest.mark.parametrize(("data", "shown"), [("1|m:rules", "Thể lệ"), ("1|rs:giai-thuong", "Giải thưởng"),
                                             ("1|f:thoi-gian", "❓"), ("1|t:topics", "chủ đề"),
                                             ("1|m:help", "/thele")])
async def test_a_reading_button_pressed_in_a_group_is_answered_there(
        citizen: Callable[..., Citizen], data: str, shown: str) -> None:
    member = citizen(user_id=3003, chat_id=GROUP)
    await member.send("/thele")

    await member.press(member.screen.last.message_id, data)

    assert PRIVATE_ONLY not in member.screen.toasts()
    assert shown in member.screen.last.text
