"""shop tokens: each connected shop's access and refresh tokens (encrypted), their expiries and state

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shop_tokens",
        sa.Column("shop_key", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("shop_id", sa.String(length=64), nullable=True),
        sa.Column("seller", sa.String(length=255), nullable=False, server_default=""),
        sa.Column("access_token", sa.Text(), nullable=True),       # Fernet token of the access token
        sa.Column("refresh_token", sa.Text(), nullable=True),      # Fernet token of the refresh token
        sa.Column("issued_at", sa.Double(), nullable=True),
        sa.Column("access_expires_at", sa.Double(), nullable=True),
        sa.Column("refresh_expires_at", sa.Double(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("connected_at", sa.Double(), nullable=True),
        sa.Column("refreshed_at", sa.Double(), nullable=True),
        sa.Column("refresh_count", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("shop_key"),
    )


def downgrade() -> None:
    op.drop_table("shop_tokens")
