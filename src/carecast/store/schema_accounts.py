"""Tables of the web application: users, sessions, API tokens, the audit log and background runs."""

from __future__ import annotations

import sqlalchemy as sa

from carecast.store.schema import _id, metadata

# Accounts of the web application (0009): argon2 password hashes, lock-out after failed sign-ins.
users = sa.Table(
    "users",
    metadata,
    _id(),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
)

# A signed-in browser (0009): the hash of its cookie's token, never the token itself.
web_sessions = sa.Table(
    "web_sessions",
    metadata,
    _id(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
)

# Every account change, sign-in failure and lock-out (0009); triggers refuse UPDATE and DELETE.
audit_log = sa.Table(
    "audit_log",
    metadata,
    _id(),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("before", sa.JSON),
    sa.Column("after", sa.JSON),
)

# A token for the API (0011): its SHA-256 only, never the token; revoked ones are kept for the audit.
api_tokens = sa.Table(
    "api_tokens",
    metadata,
    _id(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("label", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("user_id", "label", name="uq_api_tokens_user_id_label"),
)

# Background runs of the web application (0012), kept in the store so that every worker process
# answers for every run: a page polls whichever worker the server hands its request to.
web_jobs = sa.Table(
    "web_jobs",
    metadata,
    sa.Column("job_id", sa.String(40), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("owner", sa.String(100), nullable=False),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, index=True),
    # the run as its page shows it (request, progress, result or refusal), pickled: written and
    # read by carecast alone, from and into its own types
    sa.Column("payload", sa.LargeBinary, nullable=False),
)
