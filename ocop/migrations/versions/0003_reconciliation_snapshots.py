"""reconciliation snapshots and coverage history

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reconcile_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province', sa.String(length=100), nullable=True),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('target_pct', sa.Float(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reconcile_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reconcile_runs_province'), ['province'], unique=False)

    op.create_table('coverage_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('listable', sa.Integer(), nullable=False),
    sa.Column('live', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['reconcile_runs.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('run_id', 'channel')
    )
    with op.batch_alter_table('coverage_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coverage_history_run_id'), ['run_id'], unique=False)

    op.create_table('reconcile_shop_pulls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('shop_key', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('listings', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['reconcile_runs.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('run_id', 'shop_key')
    )
    with op.batch_alter_table('reconcile_shop_pulls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reconcile_shop_pulls_run_id'), ['run_id'], unique=False)

    op.create_table('snapshot_listings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('shop_key', sa.String(length=64), nullable=False),
    sa.Column('remote_id', sa.String(length=64), nullable=False),
    sa.Column('remote_sku_id', sa.String(length=64), nullable=True),
    sa.Column('seller_sku', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('platform_status', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('price_vnd', sa.BigInteger(), nullable=True),
    sa.Column('stock', sa.Integer(), nullable=True),
    sa.Column('gtin', sa.String(length=64), nullable=True),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('claims_ocop', sa.Boolean(), nullable=False),
    sa.Column('claimed_stars', sa.Integer(), nullable=True),
    sa.Column('remote_updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['reconcile_runs.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('snapshot_listings', schema=None) as batch_op:
        batch_op.create_index('ix_snapshot_listings_run_shop', ['run_id', 'shop_key'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('snapshot_listings', schema=None) as batch_op:
        batch_op.drop_index('ix_snapshot_listings_run_shop')

    op.drop_table('snapshot_listings')
    with op.batch_alter_table('reconcile_shop_pulls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reconcile_shop_pulls_run_id'))

    op.drop_table('reconcile_shop_pulls')
    with op.batch_alter_table('coverage_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coverage_history_run_id'))

    op.drop_table('coverage_history')
    with op.batch_alter_table('reconcile_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reconcile_runs_province'))

    op.drop_table('reconcile_runs')
