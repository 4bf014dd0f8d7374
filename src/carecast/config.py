"""Settings read from the environment (prefix CARECAST_) — built on demand, never at import."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///carecast.db"


class Settings(BaseSettings):
    """carecast's settings.

    database_url: where the store lives; `CARECAST_DATABASE_URL`. Default: a SQLite file
        `carecast.db` in the working directory; `postgresql+psycopg://user@host/db` for PostgreSQL.
    """

    model_config = SettingsConfigDict(env_prefix="CARECAST_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL


def load_settings(database_url: str | None = None) -> Settings:
    """Settings from the environment, with an explicit command-line value taking precedence."""
    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings
