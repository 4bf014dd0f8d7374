"""`carecast user add|passwd|disable`: passwords from standard input, never echoed, never in the
store; each change audited; mistakes refused with exit codes."""

from __future__ import annotations

import subprocess
import sys

import sqlalchemy as sa

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.services.accounts import audit_entries, list_accounts
from carecast.store.schema_accounts import users
from tests.webhelp import client, sign_in

SECRET = "correct horse battery staple"


def carecast(settings: Settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carecast", *args, "--database-url", settings.database_url],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_adding_a_user_then_a_new_password_then_disabling(settings: Settings) -> None:
    added = carecast(settings, "user", "add", "jo.smith", "--role", "finance", stdin=SECRET + "\n")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "Added jo.smith (finance)."
    assert SECRET not in added.stdout + added.stderr
    (user,) = list_accounts(settings)
    assert (user.name, user.role, user.disabled) == ("jo.smith", Role.FINANCE, False)
    engine = sa.create_engine(settings.database_url)
    with engine.connect() as connection:
        stored = connection.execute(sa.select(users.c.password_hash)).scalar_one()
    engine.dispose()
    assert stored.startswith("$argon2id$")
    assert SECRET not in stored
    assert sign_in(client(settings), "jo.smith", SECRET).status_code == 303

    changed = carecast(settings, "user", "passwd", "jo.smith", stdin="another good passphrase\n")
    assert changed.returncode == 0, changed.stderr
    assert sign_in(client(settings), "jo.smith", SECRET).status_code == 401
    assert sign_in(client(settings), "jo.smith", "another good passphrase").status_code == 303

    disabled = carecast(settings, "user", "disable", "jo.smith")
    assert disabled.returncode == 0, disabled.stderr
    assert sign_in(client(settings), "jo.smith", "another good passphrase").status_code == 401
    actions = [e.action for e in reversed(audit_entries(settings))]
    assert actions[0] == "user_added"
    assert actions[-2:] == ["user_disabled", "sign_in_failed"]
    assert "password_changed" in actions
    assert {e.source for e in audit_entries(settings) if e.action != "signed_in"} >= {
        "command line"
    }


def test_mistakes_are_refused_and_change_nothing(settings: Settings) -> None:
    carecast(settings, "user", "add", "jo", "--role", "viewer", stdin=SECRET)
    short = carecast(settings, "user", "add", "sam", "--role", "viewer", stdin="short\n")
    assert short.returncode == 2
    assert "at least 12 characters" in short.stderr
    again = carecast(settings, "user", "add", "jo", "--role", "admin", stdin=SECRET)
    assert again.returncode == 2
    assert "already a user called 'jo'" in again.stderr
    unknown = carecast(settings, "user", "passwd", "nobody", stdin=SECRET)
    assert unknown.returncode == 1
    assert "there is no user called 'nobody'" in unknown.stderr
    bad_role = carecast(settings, "user", "add", "kim", "--role", "boss", stdin=SECRET)
    assert bad_role.returncode == 2
    bad_name = carecast(settings, "user", "add", "kim smith", "--role", "viewer", stdin=SECRET)
    assert bad_name.returncode == 2
    assert [u.name for u in list_accounts(settings)] == ["jo"]
    assert carecast(settings, "user", "disable", "jo").returncode == 0
    assert carecast(settings, "user", "disable", "jo").returncode == 2
