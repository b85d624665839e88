"""ingest rejects name their sheet: a workbook is read sheet by sheet, and row 12 is in several of them

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_rejects") as batch:
        batch.add_column(sa.Column("sheet", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ingest_rejects") as batch:
        batch.drop_column("sheet")
