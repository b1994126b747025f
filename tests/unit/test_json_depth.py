"""The depth check every body from outside passes first (bot.json_input): a body is refused for nesting
exactly when it nests deeper than the limit, whatever brackets its strings hold."""
from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.json_input import too_deep

TEXT = st.text(alphabet="[]{}\"\\aă ", max_size=6)
VALUES = st.recursive(st.none() | st.integers() | TEXT,
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                      max_leaves=40)


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


@given(VALUES, st.integers(min_value=0, max_value=8))
def test_a_body_is_too_deep_exactly_when_it_nests_deeper_than_the_limit(value: Any, limit: int) -> None:
    raw = json.dumps(value, ensure_ascii=False).encode()
    assert too_deep(raw, limit) == (depth(value) > limit)
