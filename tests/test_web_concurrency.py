"""The web application under many requests at once: one pooled engine per application (never
shared between two), a SQLite store in WAL mode, concurrent pages that all succeed, and a line's
kept placements forgotten when the imports behind them change."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import html

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.services import init_store
from carecast.services.imports import list_imports, undo_import
from carecast.services.setup import OpenStore
from carecast.web import create_app
from tests.webhelp import CHILDREN, add_role_users, forecast_small_council, signed_in


def _store(app: object) -> OpenStore:
    """The open store an application serves (its settings, bound to its engine)."""
    assert isinstance(app, FastAPI)
    store = app.state.settings
    assert isinstance(store, OpenStore)
    return store


def _sqlite_store(folder: Path) -> Settings:
    folder.mkdir(exist_ok=True)
    settings = Settings(database_url=f"sqlite:///{folder / 'carecast.db'}")
    init_store(settings, "Test Borough", "999")
    return settings


def _journal_mode(database: Path) -> str:
    with sqlite3.connect(database) as connection:
        mode: str = connection.execute("PRAGMA journal_mode").fetchone()[0]
    return mode


def test_each_application_has_an_engine_of_its_own(tmp_path: Path) -> None:
    first = _sqlite_store(tmp_path / "first")
    second = _sqlite_store(tmp_path / "second")
    one, other, again = create_app(first), create_app(second), create_app(first)
    engines = [_store(app).engine() for app in (one, other, again)]
    assert all(engine is not None for engine in engines)
    assert len({id(engine) for engine in engines}) == 3  # made per application, never global
    assert [str(e.url) for e in engines if e is not None] == [
        first.database_url,
        second.database_url,
        first.database_url,
    ]


def test_the_engine_is_closed_when_the_application_stops(tmp_path: Path) -> None:
    app = create_app(_sqlite_store(tmp_path))
    with TestClient(app, base_url="https://testserver") as browser:
        assert browser.get("/dashboard").status_code == 401
        assert _store(app).engine() is not None
    assert _store(app).engine() is None


def test_a_sqlite_store_is_in_wal_mode_once_served(tmp_path: Path) -> None:
    settings = _sqlite_store(tmp_path)
    assert _journal_mode(tmp_path / "carecast.db") == "delete"  # as the command line leaves it
    browser = TestClient(create_app(settings), base_url="https://testserver")
    browser.cookies.set("carecast_session", "no such session")  # looked up in the store
    assert browser.get("/dashboard").status_code == 401
    assert _journal_mode(tmp_path / "carecast.db") == "wal"


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> tuple[Settings, int]:
    snapshot_id = forecast_small_council(settings, tmp_path)
    add_role_users(settings)
    return settings, snapshot_id


def test_pages_asked_for_at_once_are_all_served(site: tuple[Settings, int]) -> None:
    settings, snapshot_id = site
    analyst = signed_in(settings, Role.ANALYST)
    paths = ["/dashboard", f"/snapshots/{snapshot_id}/lines/placements_ifa"] * 10
    with ThreadPoolExecutor(max_workers=10) as threads:
        pages = list(threads.map(analyst.get, paths))
    assert [page.status_code for page in pages] == [200] * 20
    totals = {
        html.fromstring(p.text).get_element_by_id("total-forecast").text_content()
        for p in pages[::2]
    }
    assert totals == {"£652,950.00"}  # the small council's outturn, as the dashboard test has it
    assert all(CHILDREN["C1"] in page.text for page in pages[1::2])


def _ifa_row(browser: TestClient, snapshot_id: int) -> list[str]:
    page = browser.get(f"/snapshots/{snapshot_id}/lines/placements_ifa")
    (row,) = html.fromstring(page.text).xpath('//table[@id="placements"]/tbody/tr')
    return [cell.text_content().strip() for cell in row.xpath("./th|./td")]


def test_a_lines_kept_placements_follow_an_undone_import(site: tuple[Settings, int]) -> None:
    settings, snapshot_id = site
    analyst = signed_in(settings, Role.ANALYST)
    assert _ifa_row(analyst, snapshot_id)[:3] == [CHILDREN["C1"], "U4", "Agency"]
    assert _ifa_row(analyst, snapshot_id)[:3] == [CHILDREN["C1"], "U4", "Agency"]  # kept
    assert len(_store(analyst.app).memo()) == 1
    _council, batches = list_imports(settings)
    (costs,) = [b for b in batches if b.dataset == "placement_costs"]
    undo_import(settings, costs.batch_id)
    # Without the commitment the provider is the episode's own (placement_provider PR4).
    assert _ifa_row(analyst, snapshot_id)[:3] == [CHILDREN["C1"], "U4", "PR4"]
