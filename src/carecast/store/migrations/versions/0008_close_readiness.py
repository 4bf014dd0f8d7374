"""close readiness: the flags a snapshot was stored with, and withdrawn snapshots

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

REFUSAL = "a withdrawal is permanent: withdraw a snapshot once, and forecast again instead"


def upgrade() -> None:
    # Plain ADD COLUMN on both databases (no batch copy on SQLite: the table keeps its trigger).
    op.add_column("forecast_snapshots", sa.Column("readiness", sa.JSON(), nullable=True))
    op.create_table(
        "snapshot_withdrawals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["forecast_snapshots.id"],
            name="fk_snapshot_withdrawals_snapshot_id_forecast_snapshots",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_snapshot_withdrawals"),
        sa.UniqueConstraint("snapshot_id", name="uq_snapshot_withdrawals_snapshot_id"),
    )
    # Like the snapshots themselves (0002), a withdrawal is never edited (deleting the council
    # still cascades).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION carecast_refuse_withdrawal_update() RETURNS trigger AS $$ BEGIN "
            f"RAISE EXCEPTION '{REFUSAL}'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER snapshot_withdrawals_immutable BEFORE UPDATE ON snapshot_withdrawals "
            "FOR EACH ROW EXECUTE FUNCTION carecast_refuse_withdrawal_update()"
        )
    else:
        op.execute(
            "CREATE TRIGGER snapshot_withdrawals_immutable BEFORE UPDATE ON snapshot_withdrawals "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.execute(
        "DROP TRIGGER IF EXISTS snapshot_withdrawals_immutable"
        + (" ON snapshot_withdrawals" if postgresql else "")
    )
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS carecast_refuse_withdrawal_update()")
    op.drop_table("snapshot_withdrawals")
    # SQLite 3.35+ drops columns in place (no table copy, so the snapshot triggers stay).
    op.drop_column("forecast_snapshots", "readiness")
