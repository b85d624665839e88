"""listing_bindings and snapshot_listings: the tracking id of a create request not yet a product (Tiki)

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("listing_bindings") as batch:
        batch.add_column(sa.Column("tracking_id", sa.String(64), nullable=True))
    with op.batch_alter_table("snapshot_listings") as batch:
        batch.add_column(sa.Column("tracking_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("snapshot_listings") as batch:
        batch.drop_column("tracking_id")
    with op.batch_alter_table("listing_bindings") as batch:
        batch.drop_column("tracking_id")
