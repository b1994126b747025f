"""Inbound events carry a claim (worker, time, tries), so another worker finishes an event whose worker
died; a partial index finds the unfinished ones without reading every processed event kept for a week.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_UNFINISHED = sa.text("processed_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table('inbound_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('tries', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_inbound_events_unfinished', ['channel', 'received_at'], unique=False,
                              sqlite_where=_UNFINISHED, postgresql_where=_UNFINISHED)


def downgrade() -> None:
    with op.batch_alter_table('inbound_events', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_events_unfinished', sqlite_where=_UNFINISHED, postgresql_where=_UNFINISHED)
        batch_op.drop_column('tries')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claimed_by')
