"""Accounts of the web application: users, passwords, sign-in with lock-out, sessions, the audit log.

Passwords are kept as argon2id hashes (argon2-cffi); a session is a random token whose SHA-256 is
stored, so the store never holds what would let someone sign in. Every change to an account, every
failed sign-in and every lock-out is appended to the audit log (who, from where, when, what,
before and after), in the same transaction as the change itself.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from carecast.config import Settings
from carecast.domain.accounts import AuditEntry, Role, User
from carecast.errors import NotFound, NotSignedIn, SignInRefused, UsageError
from carecast.services.setup import data_version, sessions_memo_of, store_transaction
from carecast.store import accounts as store

MIN_PASSWORD_LENGTH = 12
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")
WRONG = "The name or password is not right. Check them and try again."
# A session is written back at most this often, so that reading pages does not write every time.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class WebSession:
    """A signed-in browser: its user, and the CSRF token its forms must carry."""

    user: User
    csrf_token: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str  # for the cookie only: the store keeps its hash
    session: WebSession


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _decoy_hash() -> str:
    """A hash to verify against when the name is unknown, so a wrong name takes as long as a wrong
    password and the time taken does not tell which names exist."""
    return _hasher().hash(secrets.token_urlsafe(16))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise UsageError(
            "a user name is 1 to 100 letters, digits, '.', '_', '@' or '-', starting with a letter "
            "or digit"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UsageError(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters; nothing was changed"
        )
    return password


def existing_user(connection: sa.Connection, name: str) -> User:
    found = store.find_user(connection, name)
    if found is None:
        raise NotFound(f"there is no user called '{name}'; 'carecast user add' adds one")
    return found[0]


def add_user(
    settings: Settings, name: str, role: Role, password: str, *, actor: str, source: str
) -> User:
    """Add a user with a role and a password (hashed with argon2id)."""
    check_name(name)
    hashed = _hasher().hash(check_password(password))
    with store_transaction(settings) as connection:
        if store.find_user(connection, name) is not None:
            raise UsageError(f"there is already a user called '{name}'; nothing was changed")
        now = _now()
        user = store.insert_user(connection, name, role, hashed, now)
        store.append_audit(
            connection,
            at=now,
            actor=actor,
            source=source,
            action="user_added",
            subject=name,
            after={"role": role.value, "disabled": False},
        )
        return user


def change_password(
    settings: Settings, name: str, password: str, *, actor: str, source: str
) -> User:
    """Set a new password: the account is unlocked and every session of it ends."""
    hashed = _hasher().hash(check_password(password))
    with store_transaction(settings) as connection:
        user = existing_user(connection, name)
        now = _now()
        store.update_user(
            connection,
            user.user_id,
            password_hash=hashed,
            password_changed_at=now,
            failed_logins=0,
            locked_until=None,
        )
        store.delete_sessions_of(connection, user.user_id)
        store.append_audit(
            connection,
            at=now,
            actor=actor,
            source=source,
            action="password_changed",
            subject=name,
            before={"password_changed_at": user.password_changed_at.isoformat()},
            after={"password_changed_at": now.isoformat()},
        )
        return existing_user(connection, name)


def disable_user(settings: Settings, name: str, *, actor: str, source: str) -> User:
    """Disable a user: they can no longer sign in, and their sessions end. Kept for the audit."""
    with store_transaction(settings) as connection:
        user = existing_user(connection, name)
        if user.disabled:
            raise UsageError(f"user '{name}' is already disabled; nothing was changed")
        store.update_user(connection, user.user_id, disabled=True)
        store.delete_sessions_of(connection, user.user_id)
        store.append_audit(
            connection,
            at=_now(),
            actor=actor,
            source=source,
            action="user_disabled",
            subject=name,
            before={"disabled": False},
            after={"disabled": True},
        )
        return existing_user(connection, name)


def list_accounts(settings: Settings) -> list[User]:
    with store_transaction(settings) as connection:
        return store.list_users(connection)


def audit_entries(settings: Settings, limit: int | None = None) -> list[AuditEntry]:
    """The audit log, newest first."""
    with store_transaction(settings) as connection:
        return store.read_audit(connection, limit)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def sign_in(settings: Settings, name: str, password: str, *, source: str) -> SignedIn:
    """Check a name and password and open a session. Refused with one message whatever was wrong,
    except a locked account, which says until when; failures and lock-outs are counted and
    audited, and committed before the refusal is raised."""
    with store_transaction(settings) as connection:
        outcome = _attempt(connection, settings, name, password, source)
    if isinstance(outcome, str):
        raise SignInRefused(outcome)
    return outcome


def _attempt(
    connection: sa.Connection, settings: Settings, name: str, password: str, source: str
) -> SignedIn | str:
    found = store.find_user(connection, name)
    now = _now()
    if found is None:
        _verify(_decoy_hash(), password)
        store.append_audit(
            connection,
            at=now,
            actor="anonymous",
            source=source,
            action="sign_in_failed",
            subject=name,
            after={"reason": "unknown user"},
        )
        return WRONG
    user, password_hash = found
    if user.locked_on(now):
        assert user.locked_until is not None
        return (
            f"This account is locked after {settings.login_attempts} failed sign-ins until "
            f"{user.locked_until:%H:%M} UTC. Try again then, or ask an administrator to set a "
            "new password."
        )
    if not _verify(password_hash, password) or user.disabled:
        _count_failure(connection, settings, user, now, source)
        return WRONG
    if _hasher().check_needs_rehash(password_hash):
        store.update_user(connection, user.user_id, password_hash=_hasher().hash(password))
    if user.failed_logins or user.locked_until is not None:
        store.update_user(connection, user.user_id, failed_logins=0, locked_until=None)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    store.insert_session(connection, user.user_id, token_hash(token), csrf, now)
    store.append_audit(
        connection, at=now, actor=name, source=source, action="signed_in", subject=name
    )
    return SignedIn(token, WebSession(user, csrf))


def _count_failure(
    connection: sa.Connection, settings: Settings, user: User, now: datetime, source: str
) -> None:
    """Count a failed sign-in and lock the account at the limit; audit both."""
    failures = user.failed_logins + 1
    locked_until = now + timedelta(minutes=settings.lockout_minutes)
    locks = failures >= settings.login_attempts
    store.update_user(
        connection,
        user.user_id,
        failed_logins=0 if locks else failures,
        locked_until=locked_until if locks else None,
    )
    store.append_audit(
        connection,
        at=now,
        actor="anonymous",
        source=source,
        action="sign_in_failed",
        subject=user.name,
        before={"failed_logins": user.failed_logins},
        after={
            "failed_logins": failures,
            "reason": "disabled" if user.disabled else "wrong password",
        },
    )
    if locks:
        store.append_audit(
            connection,
            at=now,
            actor="anonymous",
            source=source,
            action="locked_out",
            subject=user.name,
            before={"locked_until": None},
            after={"locked_until": locked_until.isoformat()},
        )


def current_session(settings: Settings, token: str) -> WebSession | None:
    """The session a cookie's token opens, or None; an idle one is ended and refused."""
    key = token_hash(token)
    # Every request asks this: an open store keeps the answer while nothing has been committed
    # (signing out, disabling the user, a touch all commit), read again once it needs a touch.
    version, memo = data_version(settings), sessions_memo_of(settings)
    kept = None if version is None or memo is None else memo.recall(("session", key, version))
    if isinstance(kept, tuple) and _now() - kept[2] <= TOUCH_EVERY:
        return WebSession(kept[0], kept[1])
    with store_transaction(settings) as connection:
        found = store.find_session(connection, key)
        if found is None:
            return None
        user, csrf, last_seen = found
        now = _now()
        if now - last_seen > timedelta(minutes=settings.session_idle_minutes):
            store.delete_session(connection, key)
            ended = True
        else:
            ended = False
            if now - last_seen > TOUCH_EVERY:
                store.touch_session(connection, key, now)
            elif version is not None and memo is not None:
                memo.keep(("session", key, version), found)
    if ended:
        raise NotSignedIn(
            f"Your session ended after {settings.session_idle_minutes} minutes without activity. "
            "Sign in again."
        )
    return WebSession(user, csrf)


def sign_out(settings: Settings, token: str, *, source: str) -> None:
    with store_transaction(settings) as connection:
        key = token_hash(token)
        found = store.find_session(connection, key)
        if found is None:
            return
        store.delete_session(connection, key)
        name = found[0].name
        store.append_audit(
            connection, at=_now(), actor=name, source=source, action="signed_out", subject=name
        )
