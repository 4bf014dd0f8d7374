"""API tokens of the web application's users: only their SHA-256 is stored, and a revoked token
is kept (marked) so the audit log's references to it stay meaningful."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from carecast.domain.accounts import User
from carecast.store.accounts import user_from_row, utc
from carecast.store.schema_accounts import api_tokens, users


@dataclass(frozen=True, slots=True)
class StoredToken:
    label: str
    created_at: datetime
    revoked_at: datetime | None


def insert_token(
    connection: sa.Connection, user_id: int, label: str, token_hash: str, now: datetime
) -> None:
    connection.execute(
        api_tokens.insert().values(
            token_hash=token_hash, user_id=user_id, label=label, created_at=now
        )
    )


def find_token_user(connection: sa.Connection, token_hash: str) -> User | None:
    """The user a live (unrevoked) token belongs to, or None."""
    row = (
        connection.execute(
            sa.select(users)
            .join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None))
        )
        .mappings()
        .first()
    )
    return None if row is None else user_from_row(row)


def tokens_of(connection: sa.Connection, user_id: int) -> list[StoredToken]:
    rows = connection.execute(
        sa.select(api_tokens.c.label, api_tokens.c.created_at, api_tokens.c.revoked_at)
        .where(api_tokens.c.user_id == user_id)
        .order_by(api_tokens.c.created_at, api_tokens.c.label)
    ).mappings()
    return [
        StoredToken(
            r["label"],
            utc(r["created_at"]),
            None if r["revoked_at"] is None else utc(r["revoked_at"]),
        )
        for r in rows
    ]


def revoke(connection: sa.Connection, user_id: int, label: str, now: datetime) -> bool:
    """Mark the user's live token `label` revoked; False when there was none."""
    result = connection.execute(
        api_tokens.update()
        .where(
            api_tokens.c.user_id == user_id,
            api_tokens.c.label == label,
            api_tokens.c.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return bool(result.rowcount)
