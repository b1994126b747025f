"""A worker's renewal of its claims (every ten seconds) finds the events it holds through an index of the
unfinished and unsent events by worker. Without it SQLite read every event of the channel kept for the week
(tens of thousands in one busy evening, millions in a national contest) to find the few in hand, and
PostgreSQL every unfinished or unsent event of every worker (the whole channel when its statistics were
old, as seen on the bench's database).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

_IN_HAND = sa.text("processed_at IS NULL OR outbox IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table('inbound_events', schema=None) as batch_op:
        batch_op.create_index('ix_inbound_events_held', ['channel', 'claimed_by'], unique=False,
                              sqlite_where=_IN_HAND, postgresql_where=_IN_HAND)


def downgrade() -> None:
    with op.batch_alter_table('inbound_events', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_events_held', sqlite_where=_IN_HAND, postgresql_where=_IN_HAND)
