"""Settings read from the environment (prefix CARECAST_) — built on demand, never at import."""

from __future__ import annotations

from pathlib import Path

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
    """

    model_config = SettingsConfigDict(env_prefix="CARECAST_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    pseudonymisation_key_file: Path | None = None
    reference_dir: Path | None = None


def load_settings(database_url: str | None = None, key_file: Path | None = None) -> Settings:
    """Settings from the environment, with explicit command-line values taking precedence."""
    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    if key_file is not None:
        settings = settings.model_copy(update={"pseudonymisation_key_file": key_file})
    return settings
