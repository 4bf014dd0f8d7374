"""`create_app(settings)`: the web application, built on demand (nothing is built at import)."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carecast.config import Settings
from carecast.services.report_files import ReportShelf
from carecast.services.setup import close_store, open_store
from carecast.services.staged_imports import open_staging
from carecast.services.work_area import work_area
from carecast.web.errors import install_error_handlers, route_of
from carecast.web.jobs import Jobs
from carecast.web.page_cache import PageCache
from carecast.web.rendering import STATIC, make_templates

ACCESS_LOG = logging.getLogger("carecast.web.access")
# Pages may show children's data: no shared cache keeps them, and no other site frames them.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; "
        "base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class HeadersAndAccessLog:
    """The security headers on every response, and a line in the access log for every request,
    as a plain ASGI middleware (Starlette's `@app.middleware` costs each request a task and a
    stream)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers if nothing is sent

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if not scope["path"].startswith("/static/"):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            # The route's template, not the URL: the access log never holds an identifier.
            ACCESS_LOG.info(
                "%s %s %d %.0f ms",
                scope["method"],
                route_of(Request(scope)),
                status,
                (time.perf_counter() - started) * 1000,
            )


def create_app(settings: Settings) -> FastAPI:
    """The web application over the store `settings` names."""
    from carecast.web.routes import (
        accounts,
        actions,
        admin,
        api,
        benchmarking,
        children,
        closes,
        forecasts,
        imports,
        movements,
        projection,
        reconciliation,
        reports,
        scenarios,
        track_record,
    )

    # One engine for the app's life: its pool and compiled-statement cache serve every request.
    store = open_store(settings)
    jobs = Jobs(store)  # long work (projections, scenarios …), one at a time, beside the pages
    # uploads waiting for confirmation and the reports written, in the store's own directory that
    # every worker process shares (a request may reach another worker than the one that wrote)
    area = work_area(store)
    staging = open_staging(shared=area / "uploads")
    report_shelf = ReportShelf.create(shared=area / "reports")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()
        staging.close()
        report_shelf.remove()
        close_store(store)

    app = FastAPI(
        title="carecast",
        summary="What this year's children's social care will really cost, and why.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # the API under /api serves its own document (routes/api.py)
        lifespan=lifespan,
    )
    app.state.settings = store
    app.state.jobs = jobs
    app.state.staging = staging
    app.state.report_shelf = report_shelf
    app.state.templates = make_templates()
    app.state.page_cache = PageCache()  # the pages every user of a role sees alike
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_error_handlers(app)
    app.include_router(accounts.router)
    app.include_router(forecasts.router)
    app.include_router(movements.router)
    app.include_router(reconciliation.router)
    app.include_router(benchmarking.router)
    app.include_router(children.router)
    app.include_router(track_record.router)
    app.include_router(projection.router)
    app.include_router(scenarios.router)
    app.include_router(imports.router)
    app.include_router(closes.router)
    app.include_router(reports.router)
    app.include_router(actions.router)
    app.include_router(admin.router)
    # Out of the application's own document, which lists the pages (the role matrix of
    # tests/test_web_app.py reads it); /api/openapi.json describes the API alone.
    app.include_router(api.router, include_in_schema=False)

    app.add_middleware(HeadersAndAccessLog)
    return app


def app_from_environment() -> FastAPI:
    """For `carecast serve` (uvicorn's factory): settings from the environment, read now."""
    return create_app(Settings())
