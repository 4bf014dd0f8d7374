"""Settings read from the environment (prefix CARECAST_) — built on demand, never at import."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///carecast.db"


class Settings(BaseSettings):
    """carecast's settings.

    database_url: where the store lives; `CARECAST_DATABASE_URL`. Default: a SQLite file
        `carecast.db` in the working directory; `postgresql+psycopg://user@host/db` for PostgreSQL.
    pseudonymisation_key_file: the council's secret for pseudonymising child identifiers
        (`carecast import --pseudonymise`, `carecast init --pseudonymise`);
        `CARECAST_PSEUDONYMISATION_KEY_FILE`. Kept outside the store, readable by its owner only;
        `--key-file` on the command line takes precedence. Default: none.
    reference_dir: where `carecast reference import` keeps newer DfE/ONS/MHCLG releases;
        `CARECAST_REFERENCE_DIR`. Default: `carecast-reference/` beside a SQLite store's file,
        else `$XDG_DATA_HOME/carecast/reference` (`~/.local/share/carecast/reference`).
    cookie_secure: whether the web application's session cookie is sent over HTTPS only;
        `CARECAST_COOKIE_SECURE`. Default: true. Set it to false only for plain HTTP on
        localhost (`carecast serve` behind no reverse proxy, for one person on their machine).
    session_idle_minutes: a web session ends after this many minutes without a request;
        `CARECAST_SESSION_IDLE_MINUTES`. Default: 30.
    login_attempts: failed sign-ins in a row that lock an account; `CARECAST_LOGIN_ATTEMPTS`.
        Default: 5.
    lockout_minutes: how long a locked account stays locked; `CARECAST_LOCKOUT_MINUTES`.
        Default: 15.
    council: the DfE code of the council a command works on, in a store that holds several;
        `--council` or `CARECAST_COUNCIL`. Default: the store's only council.
    """

    model_config = SettingsConfigDict(env_prefix="CARECAST_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    pseudonymisation_key_file: Path | None = None
    reference_dir: Path | None = None
    cookie_secure: bool = True
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    login_attempts: int = Field(default=5, ge=1, le=100)
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    council: str | None = None


# The council `--council` chose for this command (every command takes it: cli/__init__.py adds
# it to each), read by load_settings; unset once the command ends.
CHOSEN_COUNCIL: ContextVar[str | None] = ContextVar("carecast_council", default=None)


def load_settings(database_url: str | None = None, key_file: Path | None = None) -> Settings:
    """Settings from the environment, with explicit command-line values taking precedence."""
    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    if key_file is not None:
        settings = settings.model_copy(update={"pseudonymisation_key_file": key_file})
    chosen = CHOSEN_COUNCIL.get()
    if chosen is not None:
        settings = settings.model_copy(update={"council": chosen})
    return settings
