"""shop tokens: when the seller's authorisation of the app ends, as the platform's push warned

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shop_tokens") as batch:
        batch.add_column(sa.Column("authorisation_ends_at", sa.Double(), nullable=True))
        batch.add_column(sa.Column("authorisation_warned_by", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("shop_tokens") as batch:
        batch.drop_column("authorisation_warned_by")
        batch.drop_column("authorisation_ends_at")
