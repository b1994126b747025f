"""A logged failure says which exceptions were raised where, never what their messages quoted."""
from __future__ import annotations

from bot.failures import traceback_without_messages


class StorageError(Exception):
    pass


def store(phone: str) -> None:
    raise KeyError(f"Key (phone)=({phone}) already exists")


def register(phone: str) -> None:
    try:
        store(phone)
    except KeyError as exc:
        raise StorageError(f"could not register {phone}") from exc


def test_a_failure_and_its_cause_are_named_with_their_places_but_not_their_messages() -> None:
    typed = "0912345678"
    try:
        register(typed)
    except StorageError as exc:
        told = traceback_without_messages(exc)

    assert typed not in told
    assert told.index("builtins.KeyError") < told.index("which led to") < told.index("StorageError")
    assert "in store" in told and "in register" in told
