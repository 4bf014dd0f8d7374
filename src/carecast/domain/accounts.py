"""Who may use the web application, what each role may see, and the audit trail of changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    """Roles in rising order: each may do everything the one before it may.

    viewer: aggregates only; analyst: also child-level rows; finance: also imports, forecasts,
    commentary, actions and scenarios; admin: also users and the audit log.
    """

    VIEWER = "viewer"
    ANALYST = "analyst"
    FINANCE = "finance"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def includes(self, other: Role) -> bool:
        """Whether this role may do what `other` may."""
        return self.rank >= other.rank

    @property
    def sees_children(self) -> bool:
        """Child-level rows (placements, children's identifiers) are for analysts and above."""
        return self.includes(Role.ANALYST)


@dataclass(frozen=True, slots=True)
class User:
    user_id: int
    name: str
    role: Role
    disabled: bool
    failed_logins: int
    locked_until: datetime | None
    password_changed_at: datetime

    def locked_on(self, moment: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > moment


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change, as the audit log keeps it forever: who, from where, when, what, before, after.

    `before` and `after` hold what changed (never a password or its hash); None where there was
    nothing before (a user added) or nothing changed (a sign-in).
    """

    entry_id: int
    at: datetime
    actor: str
    source: str
    action: str
    subject: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
