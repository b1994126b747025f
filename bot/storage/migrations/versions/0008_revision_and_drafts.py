"""A contest revision every worker follows, and drafts (dry runs, previews) that any worker can confirm.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.BigInteger(), server_default='0', nullable=False))
    op.create_table(
        'drafts',
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('contest_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('owner', sa.String(length=64), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_drafts_contest_id_contests'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('token', name=op.f('pk_drafts')),
    )
    op.create_index('ix_drafts_expires_at', 'drafts', ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_drafts_expires_at', table_name='drafts')
    op.drop_table('drafts')
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.drop_column('revision')
