"""Signing in to the dashboard: wrong passwords lock a username for a while, and are not kept for long."""
from __future__ import annotations

from datetime import timedelta

from conftest import Clock
from fakes import Memory
from publishing import ADMIN
from quiz.services import UseCases
from quiz.services.staff import SignIn

PASSWORD = "mật khẩu đủ dài 2024"


async def test_five_wrong_passwords_in_fifteen_minutes_lock_that_username_for_the_rest_of_them(
        uses: UseCases, clock: Clock) -> None:
    for name in ("bantochuc", "dongnghiep"):
        await uses.staff.add(username=name, password=PASSWORD, role="organiser", by=ADMIN, now=clock())
    first_failure = clock()

    async def sign_in(name: str, password: str = PASSWORD) -> SignIn:
        return await uses.staff.sign_in(username=name, password=password, remote="10.0.0.1", now=clock())

    tries = []
    for _ in range(4):
        tries.append((await sign_in("bantochuc", "sai mật khẩu rồi")).tries_left)
        clock.advance(minutes=1)
    assert tries == [4, 3, 2, 1]
    fifth = await sign_in("bantochuc", "sai mật khẩu rồi")
    assert fifth.user is None and fifth.locked_for == first_failure + timedelta(minutes=15) - clock()
    right = await sign_in("bantochuc")  # even the right password waits
    assert right.user is None and right.locked_for is not None
    assert (await sign_in("dongnghiep")).user is not None  # other accounts are not affected

    clock.now = first_failure + timedelta(minutes=15)
    signed_in = await sign_in("bantochuc")
    assert signed_in.user is not None and signed_in.user.username == "bantochuc"
    assert (await sign_in("bantochuc", "sai mật khẩu rồi")).tries_left == 4  # a success starts the count again


async def test_failed_sign_ins_are_kept_one_day_only(contest: tuple[UseCases, Memory], clock: Clock) -> None:
    uses, memory = contest
    for name in ("a", "b", "c"):
        await uses.staff.sign_in(username=name, password="wrong password", remote="127.0.0.1", now=clock())
    clock.advance(days=1, seconds=1)
    await uses.staff.sign_in(username="d", password="wrong password", remote="127.0.0.1", now=clock())
    assert [name for name, _remote, _at in memory.failures] == ["d"]
