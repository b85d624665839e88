"""listing bindings say whether the package data last sent was estimated (no weight in the catalogue)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("listing_bindings") as batch:
        batch.add_column(sa.Column("package_estimated", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("listing_bindings") as batch:
        batch.drop_column("package_estimated")
