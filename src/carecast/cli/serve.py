"""`carecast serve`: the web application under uvicorn."""

from __future__ import annotations

import copy
import os
from typing import Annotated, Any

import typer

from carecast.cli.app import DatabaseUrl, app, console
from carecast.errors import UsageError


@app.command()
def serve(
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on; behind a reverse proxy keep it local."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", help="Worker processes (each serves requests on its own).")
    ] = 1,
    database_url: DatabaseUrl = None,
) -> None:
    """Run the web application (uvicorn) over the store, until interrupted."""
    if not 0 < port < 65536:
        raise UsageError(f"--port {port} is not a port; use 1 to 65535")
    if not 0 < workers <= 64:
        raise UsageError(f"--workers {workers} is out of range; use 1 to 64")
    from carecast.config import load_settings
    from carecast.services.dashboard import check_store

    settings = load_settings(database_url)
    council = check_store(settings)
    import uvicorn

    # Each worker builds its app from the environment: the store chosen here goes there.
    os.environ["CARECAST_DATABASE_URL"] = settings.database_url
    cookies = (
        "HTTPS-only: serve it behind a TLS proxy"
        if settings.cookie_secure
        else "sent over plain HTTP (CARECAST_COOKIE_SECURE=false)"
    )
    console().print(
        f"carecast for {council.name} on http://{host}:{port} ({workers} worker(s)); "
        f"sign-in cookies are {cookies}. Ctrl+C stops it.",
        markup=False,
        highlight=False,
    )
    uvicorn.run(
        "carecast.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # carecast.web.access logs each request by route, never by URL
        proxy_headers=True,
        log_level="info",
        log_config=log_config(),
    )


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with carecast's own loggers (errors, and the access log by route)
    written the same way."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["carecast"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
