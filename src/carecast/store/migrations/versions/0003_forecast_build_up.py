"""activity-led forecast: the total's interval, assumptions, actions, items, monthly components

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NEW_TABLES = ("forecast_items", "forecast_components")


def _snapshot_id() -> sa.Column[int]:
    return sa.Column("snapshot_id", sa.Integer(), nullable=False)


def _snapshot_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["snapshot_id"],
        ["forecast_snapshots.id"],
        name=f"fk_{table}_snapshot_id_forecast_snapshots",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    # Plain ADD COLUMN on both databases (no batch copy on SQLite: the table keeps its trigger).
    op.add_column("forecast_snapshots", sa.Column("p10_pence", sa.BigInteger(), nullable=True))
    op.add_column("forecast_snapshots", sa.Column("p90_pence", sa.BigInteger(), nullable=True))
    op.add_column("forecast_snapshots", sa.Column("assumptions", sa.JSON(), nullable=True))
    op.add_column("forecast_snapshots", sa.Column("actions", sa.JSON(), nullable=True))
    op.create_table(
        "forecast_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _snapshot_id(),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("item_key", sa.String(length=100), nullable=False),
        sa.Column("service_line", sa.String(length=40), nullable=False),
        sa.Column("weekly_cost_pence", sa.BigInteger(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("committed_pence", sa.BigInteger(), nullable=False),
        sa.Column("flag", sa.String(length=40), nullable=True),
        _snapshot_fk("forecast_items"),
        sa.PrimaryKeyConstraint("id", name="pk_forecast_items"),
    )
    op.create_table(
        "forecast_components",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _snapshot_id(),
        sa.Column("service_line", sa.String(length=40), nullable=False),
        sa.Column("part", sa.String(length=10), nullable=False),
        sa.Column("driver", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        _snapshot_fk("forecast_components"),
        sa.PrimaryKeyConstraint("id", name="pk_forecast_components"),
    )
    for table in NEW_TABLES:
        op.create_index(f"ix_{table}_snapshot_id", table, ["snapshot_id"], unique=False)
    # Snapshots are immutable (0002): the new tables refuse updates the same way.
    dialect = op.get_bind().dialect.name
    for table in NEW_TABLES:
        if dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION carecast_refuse_update()"
            )
        else:
            op.execute(
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} BEGIN "
                "SELECT RAISE(ABORT, 'forecast snapshots are immutable: run a new forecast instead'); "
                "END"
            )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in NEW_TABLES:
        op.execute(
            f"DROP TRIGGER IF EXISTS {table}_immutable" + (f" ON {table}" if postgresql else "")
        )
        op.drop_index(f"ix_{table}_snapshot_id", table_name=table)
        op.drop_table(table)
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would cascade into forecast_lines.
    for column in ("actions", "assumptions", "p90_pence", "p10_pence"):
        op.execute(f"ALTER TABLE forecast_snapshots DROP COLUMN {column}")
