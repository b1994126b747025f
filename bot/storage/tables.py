"""Schema. Constraints carry the guarantees: one answer per position, one participant per phone."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s", "pk": "pk_%(table_name)s",
})
Id = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER PRIMARY KEY only


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


contests = Table(
    "contests", metadata,
    Column("id", Id, primary_key=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("config", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # grows with every change workers must follow: a set published, a round changed (migration 0008)
    Column("revision", BigInteger, nullable=False, server_default="0"),
)
rounds = Table(
    "rounds", metadata,
    Column("id", Id, primary_key=True),
    Column("contest_id", ForeignKey("contests.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(64), nullable=False),
    Column("position", Integer, nullable=False),
    Column("config", JSON, nullable=False),
    Column("closed_at", UtcDateTime),
    Column("actual_figure", Integer),
    UniqueConstraint("contest_id", "code"),
)
question_sets = Table(
    "question_sets", metadata,
    Column("id", Id, primary_key=True),
    Column("contest_id", ForeignKey("contests.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("published_at", UtcDateTime, nullable=False),
    # where a version came from (migration 0009): who, which file, what it changed, what it restored
    Column("published_by", String(64)),
    Column("source_name", String(200)),
    Column("source_hash", String(64)),
    Column("summary", JSON),
    Column("restored_from", Integer),
    UniqueConstraint("contest_id", "name", "version"),
)
questions = Table(
    "questions", metadata,
    Column("id", Id, primary_key=True),
    Column("set_id", ForeignKey("question_sets.id", ondelete="CASCADE"), nullable=False),
    Column("qid", String(64), nullable=False),
    Column("position", Integer, nullable=False),
    Column("topic", String(64), nullable=False),
    Column("difficulty", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("options", JSON, nullable=False),
    Column("correct", Integer, nullable=False),
    Column("explanation", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("valid_from", Date),  # first and last day the question is right, contest time (migration 0010)
    Column("valid_until", Date),
    UniqueConstraint("set_id", "qid"),
)
units = Table(
    "units", metadata,
    Column("contest_id", ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True),
    Column("code", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("parent_code", String(64)),
    Column("kind", String(32), nullable=False),
    Column("population", Integer),
    Column("position", Integer, nullable=False),
)
participants = Table(
    "participants", metadata,
    Column("id", Id, primary_key=True),
    Column("contest_id", ForeignKey("contests.id", ondelete="CASCADE"), nullable=False),
    Column("full_name", String(100), nullable=False),
    Column("birth_year", Integer),
    Column("phone", String(16)),
    Column("unit_code", String(64)),
    Column("referral", String(64)),
    Column("registered_at", UtcDateTime, nullable=False),
    Column("erased_at", UtcDateTime),
    # (migration 0011) a keyed hash of the phone, kept through erasure until the contest's data is deleted,
    # so one number is one quota; how the number was proven (None: typed); consent to take part withdrawn
    Column("phone_key", String(64)),
    Column("phone_verified_by", String(16)),
    Column("withdrawn_at", UtcDateTime),
    UniqueConstraint("contest_id", "phone"),  # one person, one registration (NULL once erased)
    Index("ix_participants_referral", "contest_id", "referral"),
    Index("ix_participants_phone_key", "contest_id", "phone_key"),
)
guardians = Table(  # (migration 0011) the parent or guardian who consented for a participant under 16
    "guardians", metadata,
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
    Column("full_name", String(100), nullable=False),
    Column("phone", String(16), nullable=False),
    Column("confirmed_by", String(16), nullable=False),  # code (the guardian's own SMS code) | declared
    Column("confirmed_at", UtcDateTime, nullable=False),
)
phone_codes = Table(  # (migration 0011) one-time codes sent by SMS to prove a number
    "phone_codes", metadata,
    Column("id", Id, primary_key=True),
    Column("contest_id", ForeignKey("contests.id", ondelete="CASCADE"), nullable=False),
    Column("phone_key", String(64), nullable=False),
    Column("purpose", String(16), nullable=False),  # register | recover | guardian | prove (quiz.verification.Purpose)
    Column("code_hash", String(64), nullable=False),
    Column("address", String(64), nullable=False),  # who asked: a browser's address, or a chat account
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("checks", Integer, nullable=False, server_default="0"),
    Column("used_at", UtcDateTime),
    Index("ix_phone_codes_key", "contest_id", "phone_key", "created_at"),
    Index("ix_phone_codes_address", "contest_id", "address", "created_at"),
)
notices = Table(  # (migration 0011) what a citizen must be told at their next message (a number taken over)
    "notices", metadata,
    Column("id", Id, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("shown_at", UtcDateTime),
    Index("ix_notices_account", "account_id", "shown_at"),
)
accounts = Table(
    "accounts", metadata,
    Column("id", Id, primary_key=True),
    Column("contest_id", ForeignKey("contests.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("participant_id", ForeignKey("participants.id")),
    Column("locale", String(8)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime),  # Zalo's 48-hour reply window (migration 0003)
    UniqueConstraint("contest_id", "channel", "external_id"),
    UniqueConstraint("participant_id", "channel"),  # one account per channel for a participant
)
consents = Table(
    "consents", metadata,
    Column("id", Id, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("participant_id", ForeignKey("participants.id")),
    Column("purpose", String(32), nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("text_version", String(32), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_consents_account", "account_id", "purpose", "id"),
)
attempts = Table(
    "attempts", metadata,
    Column("id", Id, primary_key=True),
    Column("participant_id", ForeignKey("participants.id"), nullable=False),
    Column("round_id", ForeignKey("rounds.id"), nullable=False),
    Column("set_id", ForeignKey("question_sets.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("day", Date, nullable=False),
    Column("paper", JSON, nullable=False),
    Column("total", Integer, nullable=False, server_default="0"),  # questions on the paper (migration 0005)
    Column("started_at", UtcDateTime, nullable=False),
    Column("deadline", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("finished_at", UtcDateTime),
    Column("correct", Integer, nullable=False, server_default="0"),
    Column("answered", Integer, nullable=False, server_default="0"),
    Column("prediction", BigInteger),
    Column("practice", Boolean, nullable=False),
    UniqueConstraint("participant_id", "round_id", "seq"),  # two racing starts cannot both count
    Index("ix_attempts_round_status", "round_id", "status"),
    Index("ix_attempts_day", "day"),  # the dashboard's figures by day (migration 0007)
    Index("uq_attempts_one_open", "participant_id", "round_id", unique=True,
          sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
)
answers = Table(
    "answers", metadata,
    Column("attempt_id", ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),  # one answer per question position
    Column("question_id", String(64)),  # for per-question statistics (migration 0004)
    Column("choice", Integer, nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("answered_at", UtcDateTime, nullable=False),
    Index("ix_answers_question_id", "question_id"),
)
unit_counters = Table(
    "unit_counters", metadata,
    Column("contest_id", ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_code", String(64), primary_key=True),
    Column("shard", SmallInteger, primary_key=True, server_default="0"),  # migration 0014: summed when read
    Column("participants", Integer, nullable=False, server_default="0"),
    Column("attempts", Integer, nullable=False, server_default="0"),
)

# --- organisers and admins (migration 0002) ---
staff_users = Table(
    "staff_users", metadata,
    Column("id", Id, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),  # organiser | admin
    Column("created_at", UtcDateTime, nullable=False),
    Column("disabled_at", UtcDateTime),
)
staff_sessions = Table(
    "staff_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the cookie token
    Column("user_id", ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)
login_failures = Table(
    "login_failures", metadata,
    Column("id", Id, primary_key=True),
    Column("username", String(64), nullable=False),
    Column("remote", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_login_failures_username_at", "username", "at"),
    Index("ix_login_failures_remote_at", "remote", "at"),  # migration 0009
)
integrity_reviews = Table(
    "integrity_reviews", metadata,
    Column("id", Id, primary_key=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
    Column("participant_id", ForeignKey("participants.id"), nullable=False),
    Column("attempt_id", ForeignKey("attempts.id")),
    Column("kind", String(32), nullable=False),  # too_fast | same_answers | referral_burst
    Column("detail", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # open | cleared | disqualified
    Column("decided_by", ForeignKey("staff_users.id")),
    Column("decided_at", UtcDateTime),
    Column("reason", Text),  # why it was decided so, in the organiser's words (migration 0009)
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("round_id", "participant_id", "kind"),
)
broadcasts = Table(
    "broadcasts", metadata,
    Column("id", Id, primary_key=True),
    Column("contest_id", ForeignKey("contests.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # tip | announcement
    Column("body", JSON, nullable=False),  # text per locale
    Column("created_by", ForeignKey("staff_users.id")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),  # pending | running | done | cancelled
    Column("total", Integer, nullable=False, server_default="0"),
    Column("sent", Integer, nullable=False, server_default="0"),
    Column("failed", Integer, nullable=False, server_default="0"),
    Column("skipped", Integer, nullable=False, server_default="0"),
    Column("finished_at", UtcDateTime),
)
broadcast_deliveries = Table(
    "broadcast_deliveries", metadata,
    Column("broadcast_id", ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),  # nobody twice
    Column("status", String(16), nullable=False),  # sent | failed | skipped
    Column("detail", String(200)),
    Column("at", UtcDateTime, nullable=False),
)
daily_reports = Table(
    "daily_reports", metadata,
    Column("contest_id", ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True),
    Column("day", Date, primary_key=True),  # one report a day, even with several workers
    Column("sent_at", UtcDateTime, nullable=False),
)
round_winners = Table(
    "round_winners", metadata,  # the winners as published when the round closed (migration 0006)
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("rank", Integer, primary_key=True),  # unique per round: two closes cannot both publish
    Column("prize", String(32), nullable=False),
    Column("participant_id", ForeignKey("participants.id"), nullable=False),
    Column("attempt_id", ForeignKey("attempts.id"), nullable=False),
    Column("correct", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("duration_ms", BigInteger, nullable=False),
    Column("prediction", BigInteger),
)

drafts = Table(
    "drafts", metadata,  # an import's dry run or a broadcast's preview, for any worker (migration 0008)
    Column("token", String(64), primary_key=True),
    Column("contest_id", ForeignKey("contests.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("owner", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Index("ix_drafts_expires_at", "expires_at"),
)

audit_log = Table(
    "audit_log", metadata,  # every change staff make, and every bulk read of personal data (migration 0009);
    Column("id", Id, primary_key=True),  # append-only: the database refuses UPDATE and DELETE
    Column("contest_id", ForeignKey("contests.id")),  # None for what belongs to no contest (staff accounts)
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("origin", String(64), nullable=False),  # where from: the client address, "cli", "scheduler"
    Column("action", String(48), nullable=False),
    Column("target", String(200), nullable=False),
    Column("detail", JSON, nullable=False),
    Index("ix_audit_log_contest_at", "contest_id", "at"),
)

# --- channels (migration 0003) ---
_IN_HAND = text("processed_at IS NULL OR outbox IS NOT NULL")  # unfinished, or with replies still to send
inbound_events = Table(
    "inbound_events", metadata,
    Column("channel", String(16), primary_key=True),
    Column("event_id", String(64), primary_key=True),  # Telegram update_id, Zalo msg_id: processed once
    Column("received_at", UtcDateTime, nullable=False),
    Column("payload", JSON),
    Column("processed_at", UtcDateTime),
    # migration 0012: which worker has the event in hand, when it last said so, and how often it was taken;
    # another worker takes over an event whose claim was not renewed in time (its worker died)
    Column("claimed_by", String(40)),
    Column("claimed_at", UtcDateTime),
    Column("tries", Integer, nullable=False, server_default="0"),
    # migration 0013: the replies a handled event still has to deliver (bot.channels.telegram.outbox), kept
    # until they are sent, so a worker that dies after acknowledging leaves them to another worker
    Column("outbox", JSON(none_as_null=True)),
    Index("ix_inbound_events_unfinished", "channel", "received_at",
          sqlite_where=text("processed_at IS NULL"), postgresql_where=text("processed_at IS NULL")),
    Index("ix_inbound_events_unsent", "channel", "received_at",
          sqlite_where=text("outbox IS NOT NULL"), postgresql_where=text("outbox IS NOT NULL")),
    # migration 0015: what a worker holds (unfinished, or replies unsent), for the renewal of its claims
    Index("ix_inbound_events_held", "channel", "claimed_by", sqlite_where=_IN_HAND, postgresql_where=_IN_HAND),
)
link_codes = Table(
    "link_codes", metadata,
    Column("code", String(16), primary_key=True),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
)
channel_tokens = Table(
    "channel_tokens", metadata,
    Column("name", String(32), primary_key=True),  # e.g. zalo
    Column("access_token", Text, nullable=False),
    Column("refresh_token", Text, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
