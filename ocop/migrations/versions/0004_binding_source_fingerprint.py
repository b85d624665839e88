"""listing bindings remember the render inputs they were settled with

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("listing_bindings") as batch:
        batch.add_column(sa.Column("source_fingerprint", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("listing_bindings") as batch:
        batch.drop_column("source_fingerprint")
