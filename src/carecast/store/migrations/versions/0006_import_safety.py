"""import safety: pseudonymisation settings and provenance, located cross-file warnings

Revision ID: 0006
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: a batch "move and copy" on SQLite would drop
    # import_batches, and with foreign keys on that would cascade into every imported row.
    op.add_column(
        "councils",
        sa.Column("pseudonymise", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "import_batches",
        sa.Column("pseudonymised", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("import_batches", sa.Column("key_id", sa.String(length=16), nullable=True))
    op.add_column("import_issues", sa.Column("source", sa.String(length=500), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops columns in place (no table copy, so no cascade).
    op.drop_column("import_issues", "source")
    op.drop_column("import_batches", "key_id")
    op.drop_column("import_batches", "pseudonymised")
    op.drop_column("councils", "pseudonymise")
