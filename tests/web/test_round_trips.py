"""What one answer costs the database on the web chat path, counted with SQLAlchemy's events (never timed):
one group commit, which also checks the account this worker remembered and returns the attempt's answers —
no pre-ping, no account read, no re-read. One citizen, so the group commit carries one answer. On
PostgreSQL the group commit is two statements, each committed alone (bot.storage.answer_batch)."""
from __future__ import annotations

import shutil
from pathlib import Path

from roundtrips import RoundTrips

from .conftest import PACK, WebChat, register, served

ANSWERS = 5


async def test_an_answer_in_the_web_chat_is_one_group_commit(db_url: str) -> None:
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
    if db_url.startswith("postgresql"):  # what the batch holds, read; written where still as read
        assert counts.transactions == 0
        assert counts.round_trips == 2 * ANSWERS  # was 21 an answer, then 7
    else:  # one write transaction: the attempt locked, its answers, the account, the insert, the update
        assert counts.transactions == ANSWERS
        assert counts.statements <= 5 * ANSWERS


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

    # the account (read on a menu press), then the draw. On PostgreSQL each is a statement committed alone,
    # with no BEGIN and COMMIT around it: the draw's read (nothing open; the participant, a guardian's consent
    # and the person's attempts, their other registrations included) and its write (the attempt and its
    # unit's count): 3 round trips, was 7 (and 10 before). On SQLite one transaction for the draw.
    if db_url.startswith("postgresql"):
        assert (start.transactions, start.autocommits, start.round_trips) == (0, 3, 3), start
    else:
        assert (start.transactions, start.autocommits, start.round_trips) == (2, 0, 9), start
    # the answer's group commit; the attempt closed with its entry for the live board, and the rounds' states
    # (whether it may be reviewed). On PostgreSQL four statements, each committed alone (the close was a
    # transaction of five round trips); on SQLite two transactions.
    if db_url.startswith("postgresql"):
        assert (last.transactions, last.autocommits, last.round_trips) == (0, 4, 4), last
    else:
        assert (last.transactions, last.autocommits) == (2, 0), last


def one_round(tmp_path: Path) -> Path:
    """The fixture pack with its main round only (two attempts each, a prediction at the end), no practice."""
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    contest = (pack / "contest.yaml").read_text(encoding="utf-8")
    (pack / "contest.yaml").write_text(contest[:contest.index("  - code: luyen")], encoding="utf-8")
    return pack


async def test_with_one_round_open_play_starts_and_refuses_without_looking_twice(db_url: str,
                                                                                   tmp_path: Path) -> None:
    """"Thi ngay" with one round open: no separate look for an attempt in progress or check that the citizen
    may take part (the start does both, in one transaction). The attempt in progress is resumed in
    place of the menu, and the round's cap still speaks."""
    async with served(db_url, one_round(tmp_path)) as (app, client):
        counter = RoundTrips(app.engine, app.reader)
        try:
            chat = WebChat(client)
            await register(chat)
            with counter.counting() as start:
                await chat.tap("Thi ngay")
            assert chat.last()["progress"]["position"] == 1, chat.text()  # no round to choose
            await chat.tap(chat.right_letter())
            await chat.start()  # the page reopened: the attempt in progress is offered
            await chat.tap("Menu")
            with counter.counting() as resume:
                await chat.tap("Thi ngay")
            assert chat.last()["progress"]["position"] == 2 and chat.last()["replace"] is True
            for attempt in (1, 2):
                if attempt == 2:
                    await chat.tap("Thi ngay")
                    assert chat.last()["progress"]["position"] == 1
                for _ in range(chat.last()["progress"]["total"] - chat.last()["progress"]["position"] + 1):
                    await chat.tap(chat.right_letter())
                await chat.tap("Bỏ qua dự đoán")
                assert "10/10" in chat.text(), chat.text()
            with counter.counting() as refused:
                await chat.tap("Thi ngay")
            assert "Bạn đã dùng hết 2 lượt thi của vòng này" in chat.text(), chat.text()
        finally:
            counter.close()

    if db_url.startswith("postgresql"):  # every read and write a statement committed alone, no BEGIN or COMMIT
        # the account (read on a menu press), the draw's read and its write, the account's notices; was 7
        assert (start.transactions, start.autocommits, start.round_trips) == (0, 4, 4), start
        # the account, the draw's read (the attempt open: nothing else read; the attempt itself this worker
        # has), its answers, the notices
        assert (resume.transactions, resume.autocommits, resume.round_trips) == (0, 4, 4), resume
        # the account, the draw's read that counts the attempts (the cap refuses: nothing written), the notices
        assert (refused.transactions, refused.autocommits, refused.round_trips) == (0, 3, 3), refused
    else:  # the account, the draw (one transaction), the notices; was 5 transactions
        assert (start.transactions, start.autocommits) == (3, 0), start
        assert (resume.transactions, resume.autocommits) == (4, 0), resume  # the account, the attempt, its answers
        assert (refused.transactions, refused.autocommits, refused.round_trips) == (3, 0, 11), refused
