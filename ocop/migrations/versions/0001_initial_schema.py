"""initial schema: catalogue and listing ledger

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 05:25:45.066849
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ingest_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=1024), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rows_in', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('merged', sa.Integer(), nullable=False),
    sa.Column('inserted', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('producers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('tax_code', sa.String(length=16), nullable=True),
    sa.Column('province', sa.String(length=100), nullable=False),
    sa.Column('commune', sa.String(length=100), nullable=False),
    sa.Column('street', sa.String(length=255), nullable=True),
    sa.Column('province_old', sa.String(length=100), nullable=True),
    sa.Column('district_old', sa.String(length=100), nullable=True),
    sa.Column('commune_old', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('registry_sync_state',
    sa.Column('source_url', sa.String(length=1024), nullable=False),
    sa.Column('etag', sa.String(length=255), nullable=True),
    sa.Column('updated_since', sa.String(length=64), nullable=True),
    sa.Column('pulled_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('source_url')
    )
    op.create_table('shops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('province', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('image_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('remote_ref', sa.String(length=1024), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('shop_id', 'sha256')
    )
    op.create_table('ingest_rejects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['ingest_runs.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ingest_rejects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ingest_rejects_run_id'), ['run_id'], unique=False)

    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ocop_code', sa.String(length=64), nullable=False),
    sa.Column('seller_sku', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('name_key', sa.String(length=255), nullable=False),
    sa.Column('group_code', sa.String(length=8), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('gtin', sa.String(length=14), nullable=True),
    sa.Column('pack_size', sa.String(length=64), nullable=True),
    sa.Column('net_weight_g', sa.Integer(), nullable=True),
    sa.Column('price_vnd', sa.BigInteger(), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.Column('images', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ocop_code'),
    sa.UniqueConstraint('seller_sku')
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_gtin'), ['gtin'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_producer_id'), ['producer_id'], unique=False)

    op.create_table('certifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('decision_number', sa.String(length=64), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('authority', sa.String(length=255), nullable=False),
    sa.Column('stars', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('product_id', 'decision_number')
    )
    with op.batch_alter_table('certifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certifications_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_certifications_product_id'), ['product_id'], unique=False)

    op.create_table('listing_bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('seller_sku', sa.String(length=50), nullable=False),
    sa.Column('remote_id', sa.String(length=64), nullable=True),
    sa.Column('remote_sku_id', sa.String(length=64), nullable=True),
    sa.Column('remote_status', sa.String(length=32), nullable=True),
    sa.Column('platform_status', sa.String(length=64), nullable=True),
    sa.Column('rendered_hash', sa.String(length=64), nullable=True),
    sa.Column('pushed_hash', sa.String(length=64), nullable=True),
    sa.Column('pushed_price_vnd', sa.BigInteger(), nullable=True),
    sa.Column('pushed_stock', sa.Integer(), nullable=True),
    sa.Column('blocked_reasons', sa.JSON(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error_code', sa.String(length=64), nullable=True),
    sa.Column('last_error_message', sa.Text(), nullable=True),
    sa.Column('last_error_class', sa.String(length=32), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_pushed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('product_id', 'shop_id'),
    sa.UniqueConstraint('shop_id', 'seller_sku')
    )
    with op.batch_alter_table('listing_bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_bindings_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_bindings_shop_id'), ['shop_id'], unique=False)

    op.create_table('listing_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('binding_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=True),
    sa.Column('operation', sa.String(length=32), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('request_id', sa.String(length=128), nullable=True),
    sa.Column('error_code', sa.String(length=64), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['binding_id'], ['listing_bindings.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('listing_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_events_binding_id'), ['binding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_events_run_id'), ['run_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('listing_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_events_run_id'))
        batch_op.drop_index(batch_op.f('ix_listing_events_binding_id'))
        batch_op.drop_index(batch_op.f('ix_listing_events_at'))

    op.drop_table('listing_events')
    with op.batch_alter_table('listing_bindings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_bindings_shop_id'))
        batch_op.drop_index(batch_op.f('ix_listing_bindings_product_id'))

    op.drop_table('listing_bindings')
    with op.batch_alter_table('certifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certifications_product_id'))
        batch_op.drop_index(batch_op.f('ix_certifications_expires_on'))

    op.drop_table('certifications')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_products_producer_id'))
        batch_op.drop_index(batch_op.f('ix_products_name_key'))
        batch_op.drop_index(batch_op.f('ix_products_gtin'))

    op.drop_table('products')
    with op.batch_alter_table('ingest_rejects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ingest_rejects_run_id'))

    op.drop_table('ingest_rejects')
    op.drop_table('image_uploads')
    op.drop_table('shops')
    op.drop_table('registry_sync_state')
    op.drop_table('producers')
    op.drop_table('ingest_runs')
