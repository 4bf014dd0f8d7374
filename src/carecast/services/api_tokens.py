"""Tokens for the JSON API: a program (a council's data warehouse, a regional dashboard) reads
`/api` as a user without a browser session, with that user's role.

A token is shown once, when it is issued; the store keeps only its SHA-256, with a label the user
chose ("warehouse", "power-bi") so that it can be listed and revoked by name. A token of a disabled
user opens nothing. Issuing and revoking are written to the audit log; the token never is.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

from carecast.config import Settings
from carecast.domain.accounts import User
from carecast.errors import NotFound, UsageError
from carecast.services.accounts import WebSession, existing_user, token_hash
from carecast.services.setup import data_version, sessions_memo_of, store_transaction
from carecast.store import accounts as store
from carecast.store import api_tokens as tokens
from carecast.store.api_tokens import StoredToken

LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
PREFIX = "cc_"  # a recognisable prefix, so a leaked token is easy to find in a scan


def check_label(label: str) -> str:
    if not LABEL.fullmatch(label):
        raise UsageError(
            "a token label is 1 to 100 letters, digits, '.', '_' or '-', starting with a letter "
            "or digit; nothing was changed"
        )
    return label


def issue_token(settings: Settings, name: str, label: str, *, actor: str, source: str) -> str:
    """A new API token for user `name`, labelled `label`; returned once, never stored."""
    check_label(label)
    token = PREFIX + secrets.token_urlsafe(32)
    with store_transaction(settings) as connection:
        user = existing_user(connection, name)
        if user.disabled:
            raise UsageError(f"user '{name}' is disabled; enable them before issuing a token")
        if any(t.label == label for t in tokens.tokens_of(connection, user.user_id)):
            raise UsageError(
                f"user '{name}' already has a token labelled '{label}' (labels are never reused, "
                "revoked or not); choose another label"
            )
        now = datetime.now(UTC)
        tokens.insert_token(connection, user.user_id, label, token_hash(token), now)
        store.append_audit(
            connection,
            at=now,
            actor=actor,
            source=source,
            action="api_token_issued",
            subject=name,
            after={"label": label},
        )
    return token


def revoke_token(settings: Settings, name: str, label: str, *, actor: str, source: str) -> None:
    with store_transaction(settings) as connection:
        user = existing_user(connection, name)
        now = datetime.now(UTC)
        if not tokens.revoke(connection, user.user_id, label, now):
            raise NotFound(
                f"user '{name}' has no live token labelled '{label}'; 'carecast user tokens "
                f"{name}' lists them"
            )
        store.append_audit(
            connection,
            at=now,
            actor=actor,
            source=source,
            action="api_token_revoked",
            subject=name,
            before={"label": label, "revoked": False},
            after={"label": label, "revoked": True},
        )


def tokens_of(settings: Settings, name: str) -> list[StoredToken]:
    with store_transaction(settings) as connection:
        return tokens.tokens_of(connection, existing_user(connection, name).user_id)


def token_session(settings: Settings, token: str) -> WebSession | None:
    """Whom a token speaks for, as a session without forms (its CSRF token matches nothing),
    or None when the token is unknown, revoked or its user disabled."""
    key = token_hash(token)
    # Every API request asks this: an open store keeps the answer while nothing has been
    # committed (revoking the token or disabling its user commits).
    version, memo = data_version(settings), sessions_memo_of(settings)
    kept = None if version is None or memo is None else memo.recall(("token", key, version))
    if isinstance(kept, User):
        user: User | None = kept
    else:
        with store_transaction(settings) as connection:
            user = tokens.find_token_user(connection, key)
        if user is not None and version is not None and memo is not None:
            memo.keep(("token", key, version), user)
    if user is None or user.disabled:
        return None
    return WebSession(user, csrf_token="")
