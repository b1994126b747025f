"""Channels: inbound events processed once, one-time link codes, stored platform tokens,
and each account's last interaction (Zalo's 48-hour window).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channel_tokens',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('access_token', sa.Text(), nullable=False),
    sa.Column('refresh_token', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_channel_tokens'))
    )
    op.create_table('inbound_events',
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('channel', 'event_id', name=op.f('pk_inbound_events'))
    )
    op.create_table('link_codes',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('participant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_link_codes_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_link_codes'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
    op.drop_table('link_codes')
    op.drop_table('inbound_events')
    op.drop_table('channel_tokens')
