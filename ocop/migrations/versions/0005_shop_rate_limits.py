"""shop rate limits: each shop's next free call slot, shared by every process calling the shop

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shop_rate_limits",
        sa.Column("shop_key", sa.String(length=64), nullable=False),
        sa.Column("next_slot", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("shop_key"),
    )


def downgrade() -> None:
    op.drop_table("shop_rate_limits")
