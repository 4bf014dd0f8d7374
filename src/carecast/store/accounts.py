"""Users, their web sessions and the audit log. The audit log is only ever inserted into."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from carecast.domain.accounts import AuditEntry, Role, User
from carecast.store.schema_accounts import audit_log, users, web_sessions


def utc(moment: datetime) -> datetime:
    """A stored time as an aware UTC time (SQLite hands back naive ones)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def user_from_row(row: sa.RowMapping) -> User:
    locked = row["locked_until"]
    return User(
        user_id=row["id"],
        name=row["name"],
        role=Role(row["role"]),
        disabled=row["disabled"],
        failed_logins=row["failed_logins"],
        locked_until=None if locked is None else utc(locked),
        password_changed_at=utc(row["password_changed_at"]),
    )


def find_user(connection: sa.Connection, name: str) -> tuple[User, str] | None:
    """The user called `name` and their password hash, or None."""
    row = connection.execute(sa.select(users).where(users.c.name == name)).mappings().first()
    return None if row is None else (user_from_row(row), row["password_hash"])


def list_users(connection: sa.Connection) -> list[User]:
    rows = connection.execute(sa.select(users).order_by(users.c.name)).mappings()
    return [user_from_row(r) for r in rows]


def insert_user(
    connection: sa.Connection, name: str, role: Role, password_hash: str, now: datetime
) -> User:
    connection.execute(
        users.insert().values(
            name=name,
            role=role.value,
            password_hash=password_hash,
            disabled=False,
            failed_logins=0,
            created_at=now,
            password_changed_at=now,
        )
    )
    found = find_user(connection, name)
    assert found is not None
    return found[0]


def update_user(connection: sa.Connection, user_id: int, **values: Any) -> None:
    connection.execute(users.update().where(users.c.id == user_id).values(**values))


def insert_session(
    connection: sa.Connection, user_id: int, token_hash: str, csrf_token: str, now: datetime
) -> None:
    connection.execute(
        web_sessions.insert().values(
            token_hash=token_hash,
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=now,
            last_seen_at=now,
        )
    )


def find_session(connection: sa.Connection, token_hash: str) -> tuple[User, str, datetime] | None:
    """The session's user, its CSRF token and when it was last used, or None."""
    row = (
        connection.execute(
            sa.select(users, web_sessions.c.csrf_token, web_sessions.c.last_seen_at)
            .join(web_sessions, web_sessions.c.user_id == users.c.id)
            .where(web_sessions.c.token_hash == token_hash)
        )
        .mappings()
        .first()
    )
    return (
        None if row is None else (user_from_row(row), row["csrf_token"], utc(row["last_seen_at"]))
    )


def touch_session(connection: sa.Connection, token_hash: str, now: datetime) -> None:
    connection.execute(
        web_sessions.update()
        .where(web_sessions.c.token_hash == token_hash)
        .values(last_seen_at=now)
    )


def delete_session(connection: sa.Connection, token_hash: str) -> None:
    connection.execute(web_sessions.delete().where(web_sessions.c.token_hash == token_hash))


def delete_sessions_of(connection: sa.Connection, user_id: int) -> None:
    connection.execute(web_sessions.delete().where(web_sessions.c.user_id == user_id))


def append_audit(
    connection: sa.Connection,
    *,
    at: datetime,
    actor: str,
    source: str,
    action: str,
    subject: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    connection.execute(
        audit_log.insert().values(
            at=at,
            actor=actor[:200],
            source=source[:200],
            action=action,
            subject=subject[:200],
            before=None if before is None else dict(before),
            after=None if after is None else dict(after),
        )
    )


def read_audit(connection: sa.Connection, limit: int | None = None) -> list[AuditEntry]:
    """The audit log, newest first."""
    query = sa.select(audit_log).order_by(audit_log.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [
        AuditEntry(
            entry_id=r["id"],
            at=utc(r["at"]),
            actor=r["actor"],
            source=r["source"],
            action=r["action"],
            subject=r["subject"],
            before=r["before"],
            after=r["after"],
        )
        for r in connection.execute(query).mappings()
    ]
