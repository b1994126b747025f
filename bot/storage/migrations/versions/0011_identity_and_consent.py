"""One person, one quota across erasure (a keyed hash of the phone); how a phone was proven; consent to take
part withdrawn; a guardian's consent for participants under 16; one-time SMS codes; notices owed to citizens.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('phone_verified_by', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_participants_phone_key', ['contest_id', 'phone_key'], unique=False)
    op.create_table(
        'guardians',
        sa.Column('participant_id', _ID, nullable=False),
        sa.Column('full_name', sa.String(length=100), nullable=False),
        sa.Column('phone', sa.String(length=16), nullable=False),
        sa.Column('confirmed_by', sa.String(length=16), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'],
                                name=op.f('fk_guardians_participant_id_participants'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('participant_id', name=op.f('pk_guardians')),
    )
    op.create_table(
        'phone_codes',
        sa.Column('id', _ID, nullable=False),
        sa.Column('contest_id', _ID, nullable=False),
        sa.Column('phone_key', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('checks', sa.Integer(), server_default='0', nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_phone_codes_contest_id_contests'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_codes')),
    )
    op.create_index('ix_phone_codes_key', 'phone_codes', ['contest_id', 'phone_key', 'created_at'], unique=False)
    op.create_index('ix_phone_codes_address', 'phone_codes', ['contest_id', 'address', 'created_at'], unique=False)
    op.create_table(
        'notices',
        sa.Column('id', _ID, nullable=False),
        sa.Column('account_id', _ID, nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('shown_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_notices_account_id_accounts'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    )
    op.create_index('ix_notices_account', 'notices', ['account_id', 'shown_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_notices_account', table_name='notices')
    op.drop_table('notices')
    op.drop_index('ix_phone_codes_address', table_name='phone_codes')
    op.drop_index('ix_phone_codes_key', table_name='phone_codes')
    op.drop_table('phone_codes')
    op.drop_table('guardians')
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index('ix_participants_phone_key')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('phone_verified_by')
        batch_op.drop_column('phone_key')
