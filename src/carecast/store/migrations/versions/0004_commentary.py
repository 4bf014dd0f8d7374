"""report commentary: the finance officer's words per report section, kept with the snapshot

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_commentary",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["forecast_snapshots.id"],
            name="fk_report_commentary_snapshot_id_forecast_snapshots",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_report_commentary"),
    )
    op.create_index(
        "ix_report_commentary_snapshot_id", "report_commentary", ["snapshot_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_report_commentary_snapshot_id", table_name="report_commentary")
    op.drop_table("report_commentary")
