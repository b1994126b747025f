"""LOG_FORMAT=json gives one JSON object per line; neither format carries a phone number, nor the
messages of exceptions (a database error quotes the row it could not store: name, phone, typed text)."""
from __future__ import annotations

import io
import json
import logging

import pytest

from bot.logs import MASK, JsonFormatter, TextFormatter, mask_phones


def _logged(formatter: logging.Formatter, emit: str) -> str:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    log = logging.getLogger(f"test.logs.{emit}")
    log.addHandler(handler)
    log.propagate = False
    try:
        if emit == "failure":
            row = ("Nguyễn Văn An", "0912345678")  # what a citizen typed, quoted by the failures below
            try:
                try:
                    raise ValueError(", ".join(row))
                except ValueError as inner:
                    raise RuntimeError(f"INSERT failed: [parameters: {row}]") from inner
            except RuntimeError:
                log.exception("web chat: text failed")
        else:
            log.warning("zalo: form from user %s shared %s", "2468458835296117922", "+84 912 345 678")
    finally:
        log.removeHandler(handler)
    return out.getvalue()


@pytest.mark.parametrize("emit", ["failure", "message"])
def test_a_json_line_is_one_object_without_personal_data(emit: str) -> None:
    written = _logged(JsonFormatter(), emit)
    assert len(written.splitlines()) == 1
    entry = json.loads(written)
    assert {"time", "level", "logger", "message", "pid"} <= entry.keys()
    assert "0912345678" not in written and "912 345 678" not in written and "Nguyễn" not in written
    if emit == "failure":
        assert entry["level"] == "ERROR" and "builtins.RuntimeError" in entry["exception"]
        assert "builtins.ValueError" in entry["exception"], "the chain of causes is kept, without messages"
    else:
        assert "2468458835296117922" in entry["message"], "a platform's user id is not a phone number"


def test_text_lines_leave_out_the_same() -> None:
    written = _logged(TextFormatter(), "failure") + _logged(TextFormatter(), "message")
    assert "0912345678" not in written and "Nguyễn" not in written and "912 345 678" not in written
    assert "Traceback (messages left out)" in written


@pytest.mark.parametrize("phone", ["0912345678", "84912345678", "+84912345678", "0912 345 678", "091.234.5678",
                                   "02438261234", "024 3826 1234"])
def test_phone_numbers_as_people_write_them_are_masked(phone: str) -> None:
    assert mask_phones(f"số {phone}.") == f"số {MASK}."


@pytest.mark.parametrize("other", ["attempt 912345678", "update 1234567890123", "user 2468458835296117922",
                                   "round 2024-06-18", "12/07/2024 08:00"])
def test_ids_dates_and_counts_are_left_alone(other: str) -> None:
    assert mask_phones(other) == other
