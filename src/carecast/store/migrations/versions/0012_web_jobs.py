"""web jobs: the web application's background runs, in the store for every worker to answer

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_jobs",
        sa.Column("job_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("job_id", name="pk_web_jobs"),
    )
    op.create_index("ix_web_jobs_started_at", "web_jobs", ["started_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_web_jobs_started_at", table_name="web_jobs")
    op.drop_table("web_jobs")
