"""Broadcasts: tips and announcements to citizens who chose to receive news; who that is, once each."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

KINDS = ("tip", "announcement")
MAX_TEXT = 3000  # characters; with the heading it stays one Telegram message (4096)
CHANNEL_PREFERENCE = ("telegram", "zalo")  # one account per person: the first of these they have
PUSH_CHANNELS = CHANNEL_PREFERENCE  # channels that can message people first; the web chat cannot
SENDING, SENT, FAILED, SKIPPED = "sending", "sent", "failed", "skipped"
INTERRUPTED = "interrupted"  # a claim found on resume: maybe delivered, so never sent again
FINISHED = ("done", "cancelled")


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    kind: str
    body: Mapping[str, str]  # text per locale; "vi" always
    status: str  # pending | running | done | cancelled
    total: int
    sent: int
    failed: int
    skipped: int
    created_at: datetime
    finished_at: datetime | None

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.skipped

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


@dataclass(frozen=True, slots=True)
class Recipient:
    account_id: int
    channel: str
    external_id: str
    locale: str | None
    last_seen_at: datetime | None  # Zalo's 48-hour window counts from here
    participant_id: int | None = None


@dataclass(frozen=True, slots=True)
class NewsChoice:
    """One decision about receiving news, in the order they were made (`id` grows)."""

    id: int
    account_id: int
    participant_id: int | None
    granted: bool


class BadBroadcast(ValueError):
    """Text an admin must fix first: empty, too long, or an unknown kind."""


def checked_body(kind: str, text_vi: str, text_en: str = "") -> dict[str, str]:
    """The texts per locale, trimmed; BadBroadcast if they cannot go out."""
    body = {"vi": text_vi.strip(), "en": text_en.strip()}
    if kind not in KINDS:
        raise BadBroadcast(f"unknown kind {kind!r}: {', '.join(KINDS)}")
    if not body["vi"]:
        raise BadBroadcast("the Vietnamese text is empty")
    if any(len(v) > MAX_TEXT for v in body.values()):
        raise BadBroadcast(f"a text is longer than {MAX_TEXT} characters")
    return {k: v for k, v in body.items() if v}


def _rank(channel: str) -> int:
    return CHANNEL_PREFERENCE.index(channel) if channel in CHANNEL_PREFERENCE else len(CHANNEL_PREFERENCE)


def audience(accounts: Iterable[Recipient], choices: Iterable[NewsChoice], reached: set[int]) -> list[Recipient]:
    """Whom a broadcast goes to: people whose latest news decision (made on any of their accounts) is
    yes; one account per person, by channel preference; nobody already reached on any account."""
    by_account: dict[int, NewsChoice] = {}
    by_person: dict[int, NewsChoice] = {}
    for c in sorted(choices, key=lambda c: c.id):
        by_account[c.account_id] = c
        if c.participant_id is not None:
            by_person[c.participant_id] = c
    people: dict[object, list[Recipient]] = {}
    for acc in accounts:
        decisions = [d for d in (by_account.get(acc.account_id),
                                 by_person.get(acc.participant_id) if acc.participant_id is not None else None) if d]
        latest = max(decisions, key=lambda d: d.id, default=None)
        if latest is not None and latest.granted:
            key = acc.participant_id if acc.participant_id is not None else ("account", acc.account_id)
            people.setdefault(key, []).append(acc)
    chosen = [min(group, key=lambda a: (_rank(a.channel), a.account_id)) for group in people.values()
              if not any(a.account_id in reached for a in group)]
    return sorted(chosen, key=lambda r: r.account_id)
