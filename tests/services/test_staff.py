"""Signing in to the dashboard: wrong passwords lock a username for a while, and are not kept for long."""
from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import Clock
from fakes import Memory
from publishing import ADMIN
from quiz.services import UseCases
from quiz.services.staff import NoSuchUser, SignIn
from quiz.staff import LOCK_AFTER_ADDRESS, BadAccount, check_password

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


async def test_one_address_trying_many_usernames_is_stopped_and_other_addresses_are_not(
        uses: UseCases, clock: Clock) -> None:
    await uses.staff.add(username="bantochuc", password=PASSWORD, role="organiser", by=ADMIN, now=clock())

    async def sign_in(name: str, remote: str, password: str = "đoán bừa một mật khẩu") -> SignIn:
        return await uses.staff.sign_in(username=name, password=password, remote=remote, now=clock())

    tries = [await sign_in(f"nguoi{k % 7}", "10.9.9.9") for k in range(LOCK_AFTER_ADDRESS)]  # a script walking
    assert [t.locked_for is None for t in tries] == [True] * (LOCK_AFTER_ADDRESS - 1) + [False]  # through names
    assert (await sign_in("bantochuc", "10.9.9.9", PASSWORD)).locked_for is not None  # that address is stopped
    assert (await sign_in("bantochuc", "10.0.0.1", PASSWORD)).user is not None  # the organiser at work is not


async def test_a_disabled_account_cannot_sign_in_until_enabled_and_a_new_password_ends_old_sessions(
        uses: UseCases, clock: Clock) -> None:
    await uses.staff.add(username="btc.lan", password=PASSWORD, role="organiser", by=ADMIN, now=clock())
    user = (await uses.staff.sign_in(username="btc.lan", password=PASSWORD, remote="10.0.0.1", now=clock())).user
    assert user is not None
    await uses.staff.open_session(user=user, token_hash="t1", csrf_token="c", now=clock())
    assert await uses.staff.disable(username="btc.lan", by=ADMIN, now=clock())
    assert await uses.staff.session(token_hash="t1", now=clock()) is None
    assert (await uses.staff.sign_in(username="btc.lan", password=PASSWORD, remote="10.0.0.1", now=clock())).user \
        is None
    assert await uses.staff.enable(username="btc.lan", by=ADMIN, now=clock())
    assert not await uses.staff.enable(username="btc.lan", by=ADMIN, now=clock())  # nothing to do twice
    await uses.staff.open_session(user=user, token_hash="t2", csrf_token="c", now=clock())
    await uses.staff.set_password(username="btc.lan", password="sông lô chảy qua hà giang", by=ADMIN, now=clock())
    assert await uses.staff.session(token_hash="t2", now=clock()) is None
    with pytest.raises(BadAccount) as bad:
        await uses.staff.set_password(username="btc.lan", password="btc.lan-2024-abc", by=ADMIN, now=clock())
    assert bad.value.rule == "guessable"  # the username inside
    with pytest.raises(NoSuchUser):
        await uses.staff.unlock(username="khong.co", by=ADMIN, now=clock())


@pytest.mark.parametrize("password", ["1234567890", "123456789012", "matkhau@2024", "Password2024!",
                                      "abcabcabcabc", "aaaaaaaaaaaaaaa", "qwertyuiop12", "1q2w3e4r5t6y"])
def test_passwords_that_guessing_tries_first_are_refused(password: str) -> None:
    with pytest.raises(BadAccount):
        check_password(password, username="btc.lan")


@pytest.mark.parametrize("password", ["bốn mùa xuân hạ thu đông", "sông lô chảy qua hà giang",
                                      "Ruộng bậc thang Hoàng Su Phì", "cao nguyên đá đồng văn 1"])
def test_a_few_words_of_ones_own_make_a_good_password(password: str) -> None:
    assert check_password(password, username="btc.lan") == password
