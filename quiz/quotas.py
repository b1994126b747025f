"""Topic and difficulty quotas together. Whether a pool of questions can fill a paper of `count` with at
least so many of each topic and of each difficulty is a flow with lower bounds: each question links its
topic to its difficulty. A paper is drawn at random one question at a time, each kept only if the rest
of the paper can still be filled, so it is as random as the quotas allow and never gets stuck."""
from __future__ import annotations

import random
from collections import Counter, defaultdict, deque
from collections.abc import Mapping, Sequence

from quiz.model import Question

_S, _T, _SS, _TT = "source", "sink", "super-source", "super-sink"


class _Flow:
    def __init__(self) -> None:
        self.cap: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def edge(self, a: str, b: str, c: int) -> None:
        self.cap[a][b] += c
        self.cap[b][a] += 0

    def max_flow(self, s: str, t: str) -> int:
        total = 0
        while True:
            parent: dict[str, str] = {s: s}
            queue = deque([s])
            while queue and t not in parent:
                a = queue.popleft()
                for b, c in self.cap[a].items():
                    if c > 0 and b not in parent:
                        parent[b] = a
                        queue.append(b)
            if t not in parent:
                return total
            path, b = [], t
            while b != s:
                path.append((parent[b], b))
                b = parent[b]
            push = min(self.cap[a][b] for a, b in path)
            for a, b in path:
                self.cap[a][b] -= push
                self.cap[b][a] += push
            total += push


def can_fill(pool: Sequence[Question], *, count: int, topics: Mapping[str, int], levels: Mapping[str, int]) -> bool:
    """Whether `count` questions of `pool` can have at least topics[t] of each topic t and levels[d] of
    each difficulty d."""
    if count < 0 or count > len(pool) or sum(topics.values()) > count or sum(levels.values()) > count:
        return False
    cells = Counter((q.topic, q.difficulty.value) for q in pool)
    flow, excess = _Flow(), Counter[str]()

    def bounded(a: str, b: str, low: int, high: int) -> None:
        flow.edge(a, b, high - low)
        excess[b] += low
        excess[a] -= low

    for t in {t for t, _d in cells} | set(topics):
        bounded(_S, f"t:{t}", topics.get(t, 0), count)
    for d in {d for _t, d in cells} | set(levels):
        bounded(f"d:{d}", _T, levels.get(d, 0), count)
    for (t, d), n in cells.items():
        flow.edge(f"t:{t}", f"d:{d}", n)
    bounded(_T, _S, count, count)
    for node, e in excess.items():
        if e > 0:
            flow.edge(_SS, node, e)
        elif e < 0:
            flow.edge(node, _TT, -e)
    return flow.max_flow(_SS, _TT) == sum(e for e in excess.values() if e > 0)


def choose(pool: Sequence[Question], *, count: int, topics: Mapping[str, int], levels: Mapping[str, int],
           rng: random.Random) -> list[Question] | None:
    """`count` questions meeting both quotas, drawn at random; None when the pool cannot give them."""
    if not can_fill(pool, count=count, topics=topics, levels=levels):
        return None
    rest = list(pool)
    rng.shuffle(rest)
    chosen: list[Question] = []
    need_t, need_d = dict(topics), dict(levels)
    while len(chosen) < count:
        q = rest.pop()
        after_t = {**need_t, q.topic: max(need_t.get(q.topic, 0) - 1, 0)}
        after_d = {**need_d, q.difficulty.value: max(need_d.get(q.difficulty.value, 0) - 1, 0)}
        if can_fill(rest, count=count - len(chosen) - 1, topics=after_t, levels=after_d):
            chosen.append(q)
            need_t, need_d = after_t, after_d
    return chosen
