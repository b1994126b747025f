"""A unit's participation counters are spread over several rows (shards) summed when read: every attempt
started in a unit bumped the one row of that unit, so a unit's citizens starting together (a school, a
department told to take part in the same hour) queued on its row lock, holding their database
connections meanwhile, and everything else on the worker queued behind them.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('unit_counters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shard', sa.SmallInteger(), server_default='0', nullable=False))
        batch_op.drop_constraint('pk_unit_counters', type_='primary')
        batch_op.create_primary_key('pk_unit_counters', ['contest_id', 'unit_code', 'shard'])


def downgrade() -> None:
    bind = op.get_bind()
    folded = sa.text("SELECT contest_id, unit_code, SUM(participants) AS participants, SUM(attempts) AS attempts "
                     "FROM unit_counters GROUP BY contest_id, unit_code")
    rows = [dict(r._mapping) for r in bind.execute(folded)]
    bind.execute(sa.text("DELETE FROM unit_counters"))
    with op.batch_alter_table('unit_counters', schema=None) as batch_op:
        batch_op.drop_constraint('pk_unit_counters', type_='primary')
        batch_op.drop_column('shard')
        batch_op.create_primary_key('pk_unit_counters', ['contest_id', 'unit_code'])
    if rows:
        table = sa.table('unit_counters', sa.column('contest_id'), sa.column('unit_code'),
                         sa.column('participants'), sa.column('attempts'))
        op.bulk_insert(table, rows)
