"""What one answer costs the database on the web chat path, counted with SQLAlchemy's events (never timed):
one group commit, which also checks the account this worker remembered and returns the attempt's answers —
no pre-ping, no account read, no re-read. One citizen, so the group commit carries one answer."""
from __future__ import annotations

from roundtrips import RoundTrips

from .conftest import WebChat, register, served

ANSWERS = 5


async def test_an_answer_in_the_web_chat_is_one_transaction(db_url: str) -> None:
    async with served(db_url) as (app, client):
        counter = RoundTrips(app.engine, app.reader)
        try:
            chat = WebChat(client)
            await register(chat)
            await chat.tap("Thi ngay")
            await chat.tap("Vòng chính")
            await chat.tap(chat.right_letter())  # reads the account; from the next answer on it is remembered
            with counter.counting() as counts:
                for _ in range(ANSWERS):
                    shown = await chat.tap(chat.right_letter())
                    assert shown["toast"] == "Đã ghi nhận"
            assert chat.last()["progress"]["position"] == ANSWERS + 2
        finally:
            counter.close()

    assert counts.pings == 0
    assert counts.transactions == ANSWERS
    assert counts.statements <= 5 * ANSWERS  # the attempt locked, its answers, the account, the insert, the update
    assert counts.round_trips <= 7 * ANSWERS  # was 21 an answer


async def test_a_new_attempt_and_its_result_read_nothing_the_writes_just_returned(db_url: str) -> None:
    """Starting an attempt is one transaction (no read of the answers a new attempt cannot have yet);
    the last answer's result does not read the attempt's answers again (its write returned them all)."""
    async with served(db_url) as (app, client):
        counter = RoundTrips(app.engine, app.reader)
        try:
            chat = WebChat(client)
            await register(chat)
            await chat.tap("Thi ngay")
            with counter.counting() as start:
                await chat.tap("Luyện tập")
            assert chat.last()["progress"]["position"] == 1
            for _ in range(chat.last()["progress"]["total"] - 1):
                await chat.tap(chat.right_letter())
            with counter.counting() as last:
                await chat.tap(chat.right_letter())
            assert "3/3" in chat.text(), chat.text()  # the practice result: every answer counted
        finally:
            counter.close()

    assert start.transactions == 2  # the account (read on a menu press), then the draw
    assert last.transactions == 3  # the answer's group commit, the attempt closed, whether it may be reviewed
