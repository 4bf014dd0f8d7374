"""`carecast user add|passwd|disable|token-add|token-revoke|tokens`: the web application's accounts.

Passwords are never taken on the command line (where `ps` and the shell's history would keep
them): they are asked for without echo at a terminal, or read as one line from standard input.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from carecast.cli.app import DatabaseUrl, app, console
from carecast.domain.accounts import Role
from carecast.errors import UsageError

user_app = typer.Typer(
    no_args_is_help=True,
    help="Accounts of the web application: add a user, set a password, disable a user, "
    "issue and revoke API tokens.",
)
app.add_typer(user_app, name="user")

UserName = Annotated[str, typer.Argument(help="The user's sign-in name.")]


@user_app.callback()
def user(ctx: typer.Context, database_url: DatabaseUrl = None) -> None:
    """Accounts of the web application: add a user, set a password, disable a user."""
    ctx.obj = database_url


def actor() -> tuple[str, str]:
    """Who makes a change from the command line, as the audit log records it."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return name, "command line"


def read_password() -> str:
    """A new password: asked twice without echo at a terminal, else one line of standard input."""
    if sys.stdin.isatty():
        first = getpass.getpass("New password: ")
        if getpass.getpass("Repeat it: ") != first:
            raise UsageError("the two passwords differ; nothing was changed")
        return first
    line = sys.stdin.readline()
    return line[:-1] if line.endswith("\n") else line


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    name: UserName,
    role: Annotated[
        Role,
        typer.Option(
            "--role",
            help="viewer (aggregates only), analyst (also child-level rows), finance (also "
            "imports, forecasts, commentary, actions and scenarios) or admin (also users).",
        ),
    ],
    database_url: DatabaseUrl = None,
) -> None:
    """Add a user with a role; the password is asked for (or read from standard input)."""
    from carecast.config import load_settings
    from carecast.services.accounts import add_user, check_name

    check_name(name)
    who, source = actor()
    added = add_user(
        load_settings(database_url or ctx.obj),
        name,
        role,
        read_password(),
        actor=who,
        source=source,
    )
    console().print(f"Added {added.name} ({added.role.value}).", markup=False, highlight=False)


@user_app.command("passwd")
def user_passwd(ctx: typer.Context, name: UserName, database_url: DatabaseUrl = None) -> None:
    """Set a user's password: unlocks the account and ends its sessions."""
    from carecast.config import load_settings
    from carecast.services.accounts import change_password

    who, source = actor()
    changed = change_password(
        load_settings(database_url or ctx.obj), name, read_password(), actor=who, source=source
    )
    console().print(
        f"Set a new password for {changed.name}; their sessions have ended.",
        markup=False,
        highlight=False,
    )


@user_app.command("disable")
def user_disable(ctx: typer.Context, name: UserName, database_url: DatabaseUrl = None) -> None:
    """Disable a user: they can no longer sign in and their sessions end (the account is kept)."""
    from carecast.config import load_settings
    from carecast.services.accounts import disable_user

    who, source = actor()
    disabled = disable_user(load_settings(database_url or ctx.obj), name, actor=who, source=source)
    console().print(f"Disabled {disabled.name}.", markup=False, highlight=False)


TokenLabel = Annotated[
    str, typer.Option("--label", help="A name for the token, to list and revoke it by.")
]


@user_app.command("token-add")
def user_token_add(
    ctx: typer.Context, name: UserName, label: TokenLabel, database_url: DatabaseUrl = None
) -> None:
    """Issue an API token for a user (read /api with 'Authorization: Bearer TOKEN', with the
    user's role). The token is printed once and never stored: keep it in a secret store."""
    from carecast.config import load_settings
    from carecast.services.api_tokens import issue_token

    who, source = actor()
    token = issue_token(
        load_settings(database_url or ctx.obj), name, label, actor=who, source=source
    )
    console().print(
        f"Issued token '{label}' for {name}; it is shown only now:", markup=False, highlight=False
    )
    # The token alone on its own line of standard output, so a script can capture it.
    typer.echo(token)


@user_app.command("token-revoke")
def user_token_revoke(
    ctx: typer.Context, name: UserName, label: TokenLabel, database_url: DatabaseUrl = None
) -> None:
    """Revoke a user's API token: it opens nothing from now on (it is kept, marked, for the audit)."""
    from carecast.config import load_settings
    from carecast.services.api_tokens import revoke_token

    who, source = actor()
    revoke_token(load_settings(database_url or ctx.obj), name, label, actor=who, source=source)
    console().print(f"Revoked token '{label}' of {name}.", markup=False, highlight=False)


@user_app.command("tokens")
def user_tokens(ctx: typer.Context, name: UserName, database_url: DatabaseUrl = None) -> None:
    """List a user's API tokens by label: when issued, and when revoked."""
    from carecast.config import load_settings
    from carecast.services.api_tokens import tokens_of

    found = tokens_of(load_settings(database_url or ctx.obj), name)
    if not found:
        console().print(f"{name} has no API tokens.", markup=False, highlight=False)
    for token in found:
        state = "live" if token.revoked_at is None else f"revoked {token.revoked_at:%Y-%m-%d %H:%M}"
        console().print(
            f"{token.label}  issued {token.created_at:%Y-%m-%d %H:%M} UTC  {state}",
            markup=False,
            highlight=False,
        )
