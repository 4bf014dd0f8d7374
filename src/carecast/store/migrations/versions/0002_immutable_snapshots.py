"""forecast snapshots refuse updates at the database level

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("forecast_snapshots", "forecast_lines")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION carecast_refuse_update() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'forecast snapshots are immutable: run a new forecast instead'; "
            "END; $$ LANGUAGE plpgsql"
        )
    for table in TABLES:
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
    for table in TABLES:
        op.execute(
            f"DROP TRIGGER IF EXISTS {table}_immutable"
            + (f" ON {table}" if op.get_bind().dialect.name == "postgresql" else "")
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS carecast_refuse_update()")
