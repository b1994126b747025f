"""Erasing one's data leaves nothing of it in the chats: the recent conversation a browser keeps (what was
typed, what was shown) goes for every browser of the participant, whichever channel the erasure came from."""
from __future__ import annotations

from bot.dispatch import Dispatcher
from quiz.conversation.actions import Data, DataItem
from quiz.conversation.engine import Who
from quiz.conversation.messages import Press

from .conftest import WebChat, register, served


async def test_an_erasure_on_telegram_clears_what_the_linked_browser_kept(db_url: str) -> None:
    async with served(db_url) as (app, client):
        browser = WebChat(client)
        await register(browser, name="Trần Thị Bình", phone="0987654321")
        pid = (await app.people.holder("0987654321")).id  # type: ignore[union-attr]
        now = app.dispatcher.clock()
        code = await app.people.issue_link_code(participant_id=pid, now=now)
        account = await app.people.account(channel="telegram", external_id="1001", locale="vi", now=now)
        await app.people.link_account(account_id=account.id, code=code.code, now=now)  # the same person
        dispatcher: Dispatcher = app.dispatcher
        telegram = Who("telegram", "1001")
        await dispatcher.handle(telegram, Press(Data(DataItem.ERASE)))  # as the citizen taps, on Telegram
        await dispatcher.handle(telegram, Press(Data(DataItem.ERASE_CONFIRMED)))
        assert await app.people.holder("0987654321") is None

        kept = str((await WebChat(client, cookie=browser.cookie).start())["history"])  # the browser reopened
        assert "Trần Thị Bình" not in kept and "0987654321" not in kept
