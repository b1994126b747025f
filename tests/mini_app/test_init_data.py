"""The Mini App's sign-in: only initData Telegram signed for this bot, lately, names a citizen."""
from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.web.init_data import InitDataCheck, InitDataRefused, MiniAppUser

from .signing import init_data, sign

TOKEN = "123456:TEST-token_for-the-bot"
NOW = 1_718_850_000
MAX_AGE = 3600

user_ids = st.integers(1, 2**52)
languages = st.none() | st.sampled_from(["vi", "en", "ru", "zh-hans", ""])
names = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=40)
field_names = st.from_regex(r"[a-z_]{1,12}", fullmatch=True).filter(lambda n: n not in ("hash", "user", "auth_date"))
extras = st.dictionaries(field_names, st.text(st.characters(codec="utf-8"), max_size=30), max_size=4)
tokens = st.from_regex(r"[0-9]{6,10}:[A-Za-z0-9_-]{30,35}", fullmatch=True)


def check(token: str = TOKEN, *, now: float = NOW) -> InitDataCheck:
    return InitDataCheck(token, max_age_s=MAX_AGE, clock=lambda: now)


def refused(raw: str, *, by: InitDataCheck | None = None) -> str:
    with pytest.raises(InitDataRefused) as refusal:
        (by or check()).user(raw)
    return refusal.value.reason


def test_the_example_published_for_telegram_mini_apps_is_believed() -> None:
    """initData and token from the Telegram Mini Apps documentation (tma.js), signed by someone else's code."""
    token = "5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8"
    raw = ("query_id=AAHdF6IQAAAAAN0XohDhrOrc&user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%22"
           "%2C%22last_name%22%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22"
           "%2C%22is_premium%22%3Atrue%7D&auth_date=1662771648"
           "&hash=c501b71e775f74ce10e377dea85a7ea24ecd640b223ea86dfe453e0eaed2e2b2")
    assert check(token, now=1662771648 + 60).user(raw) == MiniAppUser(279058397, "ru")
    assert refused(raw, by=check(token, now=1662771648 + MAX_AGE + 1)) == "expired"
    assert refused(raw, by=check(TOKEN, now=1662771648)) == "signature"


@given(user_id=user_ids, language=languages, name=names, age=st.integers(-60, MAX_AGE), extra=extras)
def test_genuine_fresh_init_data_names_the_user_telegram_signed_it_for(
        user_id: int, language: str | None, name: str, age: int, extra: dict[str, str]) -> None:
    raw = init_data(TOKEN, user_id=user_id, auth_date=NOW - age, language_code=language, first_name=name, **extra)
    assert check().user(raw) == MiniAppUser(user_id, language)


@given(user_id=user_ids, extra=extras, data=st.data())
def test_any_field_changed_added_or_dropped_breaks_the_signature(user_id: int, extra: dict[str, str],
                                                                 data: st.DataObject) -> None:
    fields = dict(parse_qsl(init_data(TOKEN, user_id=user_id, auth_date=NOW, **extra), keep_blank_values=True))
    given_hash = fields.pop("hash")
    change = data.draw(st.sampled_from(["value", "drop", "add", "hash"]))
    name = data.draw(st.sampled_from(sorted(fields)))
    if change == "value":
        new = data.draw(st.text(st.characters(codec="utf-8"), max_size=30).filter(lambda v: v != fields[name]))
        fields[name] = new
    elif change == "drop":
        del fields[name]
    elif change == "add":
        fields[data.draw(field_names.filter(lambda n: n not in fields))] = data.draw(st.text(max_size=10))
    else:
        position = data.draw(st.integers(0, 63))
        flipped = "0" if given_hash[position] != "0" else "1"
        given_hash = given_hash[:position] + flipped + given_hash[position + 1:]
    assert refused(urlencode({**fields, "hash": given_hash}, quote_via=quote)) == "signature"


def test_another_users_id_cannot_be_put_in_a_genuine_init_data() -> None:
    raw = init_data(TOKEN, user_id=1001, auth_date=NOW)
    assert refused(raw.replace("%22id%22%3A1001", "%22id%22%3A1002")) == "signature"


@given(user_id=user_ids, too_old=st.integers(MAX_AGE + 1, 10 * 365 * 86400))
def test_genuine_init_data_older_than_the_limit_is_refused(user_id: int, too_old: int) -> None:
    assert refused(init_data(TOKEN, user_id=user_id, auth_date=NOW - too_old)) == "expired"


@given(user_id=user_ids, ahead=st.integers(61, 10 * 86400))
def test_genuine_init_data_dated_in_the_future_is_refused(user_id: int, ahead: int) -> None:
    assert refused(init_data(TOKEN, user_id=user_id, auth_date=NOW + ahead)) == "expired"


@given(user_id=user_ids, other=tokens.filter(lambda t: t != TOKEN))
def test_init_data_signed_for_another_bot_is_refused(user_id: int, other: str) -> None:
    assert refused(init_data(other, user_id=user_id, auth_date=NOW)) == "signature"


@given(raw=st.text(max_size=300) | st.from_regex(r"([a-z_%0-9]{0,8}=?[^&]{0,20}&?){0,6}", fullmatch=True))
def test_any_text_is_refused_cleanly(raw: str) -> None:
    with pytest.raises(InitDataRefused):
        check().user(raw)


@pytest.mark.parametrize("user", ['{"id":"1001"}', '{"id":0}', '{"id":1.5}', '{"id":true}', "[1001]", "1001", "{",
                                  '{"id":9007199254740993}', '{"first_name":"An"}'])
def test_a_genuine_signature_over_a_user_without_a_usable_id_is_refused(user: str) -> None:
    raw = sign({"auth_date": str(NOW), "user": user}, TOKEN)
    assert refused(raw) == "malformed"


def test_a_field_given_twice_is_refused_even_when_one_copy_is_signed() -> None:
    raw = init_data(TOKEN, user_id=1001, auth_date=NOW)
    assert refused(raw + "&user=%7B%22id%22%3A1002%7D") == "malformed"
