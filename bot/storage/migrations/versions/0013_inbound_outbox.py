"""An inbound event keeps what it still has to say (its outbox) once handled, until that is delivered: a
worker that dies after acknowledging an update leaves its replies for another worker's sweep. A partial
index finds those without reading every processed event kept for a week.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_UNSENT = sa.text("outbox IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table('inbound_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outbox', sa.JSON(none_as_null=True), nullable=True))
        batch_op.create_index('ix_inbound_events_unsent', ['channel', 'received_at'], unique=False,
                              sqlite_where=_UNSENT, postgresql_where=_UNSENT)


def downgrade() -> None:
    with op.batch_alter_table('inbound_events', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_events_unsent', sqlite_where=_UNSENT, postgresql_where=_UNSENT)
        batch_op.drop_column('outbox')
