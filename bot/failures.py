"""Failures told in the log without what anyone typed: exception types and code locations, no messages.

An exception's message may quote its input: a database error quotes the phone number it could not
store, a parser the text it could not read. `traceback_without_messages` keeps what a developer needs
to find the fault (which exception, raised where, through which calls) and leaves the message out.
"""
from __future__ import annotations

import traceback


def traceback_without_messages(exc: BaseException) -> str:
    """The chain of `exc` and its causes, innermost last, as types and frames only."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    blocks = []
    for failure in reversed(chain):
        kind = type(failure)
        frames = "".join(traceback.extract_tb(failure.__traceback__).format())
        blocks.append(f"Traceback (messages left out):\n{frames}{kind.__module__}.{kind.__qualname__}")
    return "\n\nwhich led to:\n\n".join(blocks)


def unavailable(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) says a store is out of reach for now, not that the request or the
    code is wrong: the database or Redis refused, dropped or did not answer in time. Worth a retry."""
    from redis.exceptions import ConnectionError as RedisDown
    from redis.exceptions import TimeoutError as RedisSlow

    from bot.storage.engine import unreachable

    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not s for s in seen):
        seen.append(current)
        if isinstance(current, RedisDown | RedisSlow | ConnectionError | TimeoutError) or unreachable(current):
            return True
        current = current.__cause__ or current.__context__
    return False
