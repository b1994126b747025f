"""Prometheus metrics at /metrics: answers, attempts, latencies, the group commit's queue, outgoing
messages and 429s per channel, and each channel's health.

One process keeps them in memory. With several workers (`dcbot run --workers N`) the supervisor sets
PROMETHEUS_MULTIPROC_DIR before any worker starts, each worker writes its values there, and whichever
worker answers /metrics sums them all, so a scrape sees the whole service."""
from __future__ import annotations

import os
import time
from datetime import datetime
from typing import Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from quiz.attempts import Written
from quiz.people import Account
from quiz.ports import AnswerLog

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

ANSWERS = Counter("cds_answers", "Answers handed to the group commit, by whether they were stored", ["stored"])
ANSWER_SECONDS = Histogram("cds_answer_seconds", "From an answer's arrival to its durable commit", buckets=FAST)
ANSWER_QUEUE = Gauge("cds_answer_queue_depth", "Answers waiting for the next group commit", multiprocess_mode="livesum")
ATTEMPTS_STARTED = Gauge("cds_attempts_started", "Attempts ever started (from the database)",
                         multiprocess_mode="mostrecent")
ATTEMPTS_OPEN = Gauge("cds_attempts_open", "Attempts open now (from the database)", multiprocess_mode="mostrecent")
EVENT_SECONDS = Histogram("cds_event_seconds", "Handling one citizen event, by channel and kind",
                          ["channel", "kind"], buckets=FAST)
HTTP_SECONDS = Histogram("cds_http_request_seconds", "HTTP requests, by route and status", ["route", "status"],
                         buckets=FAST)
OUTGOING = Counter("cds_outgoing_messages", "Calls to a platform's API, by channel and outcome", ["channel", "result"])
RATE_LIMITED = Counter("cds_rate_limited", "429 (retry after) answers from a platform", ["channel"])
CHANNEL_UP = Gauge("cds_channel_up", "1 while the channel's platform works for every worker, else 0", ["channel"],
                   multiprocess_mode="livemin")


def exposition() -> tuple[bytes, str]:
    """The text a scrape reads, and its content type: this process's values, or every worker's."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # untyped in the library
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def worker_exited(pid: int) -> None:
    """Forget a stopped worker's live gauges (its counters stay in the totals)."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]  # untyped in the library


class WaitingAnswers(AnswerLog, Protocol):
    """What MeasuredAnswers needs of the group commit: the answers it holds."""

    @property
    def waiting(self) -> int: ...


class MeasuredAnswers:
    """An AnswerLog that counts and times the one it wraps (the group commit)."""

    def __init__(self, inner: WaitingAnswers) -> None:
        self.inner = inner

    async def record(self, *, attempt_id: int, position: int, question_id: str, choice: int, correct: bool,
                     now: datetime, account: Account | None = None) -> Written:
        started = time.perf_counter()
        pending = self.inner.record(attempt_id=attempt_id, position=position, question_id=question_id,
                                    choice=choice, correct=correct, now=now, account=account)
        try:
            written = await pending
        finally:
            ANSWER_QUEUE.set(self.inner.waiting)
        ANSWER_SECONDS.observe(time.perf_counter() - started)
        ANSWERS.labels("yes" if written.stored else "no").inc()
        return written
