"""Pages kept as rendered (web/page_cache.py) while the store is unchanged, on SQLite and
PostgreSQL: built once, built again after any import, forecast, withdrawal or commentary, never
handed to another role, and each user's own name and sign-out token filled in."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.domain.periods import Period
from carecast.services import import_paths, run_forecast
from carecast.services.accounts import add_user, disable_user
from carecast.services.commentary import set_commentary
from carecast.services.dashboard import dashboard, line_placements
from carecast.services.forecasting import withdraw_forecast
from carecast.services.setup import close_store, data_version, open_store, store_transaction
from carecast.web import create_app
from carecast.web.routes import api, forecasts
from tests.fixtures_small import write_small_council
from tests.webhelp import PASSWORD, add_role_users, csrf_of, forecast_small_council, sign_in

SEPTEMBER = 2  # the small council's September snapshot (forecast_small_council)
LINE = f"/snapshots/{SEPTEMBER}/lines/placements_ifa"


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> Settings:
    forecast_small_council(settings, tmp_path)
    add_role_users(settings)
    return settings


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often each page's service was asked, by page: once per build of the page."""
    counted: Counter[str] = Counter()

    def counting(name: str, service: Callable[..., Any]) -> Callable[..., Any]:
        def asked(*args: Any, **kwargs: Any) -> Any:
            counted[name] += 1
            return service(*args, **kwargs)

        return asked

    monkeypatch.setattr(forecasts, "dashboard", counting("dashboard", dashboard))
    monkeypatch.setattr(forecasts, "line_placements", counting("line", line_placements))
    monkeypatch.setattr(api, "dashboard", counting("api", dashboard))
    return counted


def built(site: Settings, counted: int, expected: int) -> bool:
    """`expected` builds exactly on SQLite, whose version is the store's own; at least that many
    on PostgreSQL, whose version is the whole server's: the test processes beside this one write
    to their own databases there, which can only add needless rebuilds, never save one."""
    return counted == expected if site.database_url.startswith("sqlite") else counted >= expected


def browser(app: Any, name: str) -> TestClient:
    """A signed-in browser of its own on the one application (so on its one page cache)."""
    signing = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    assert sign_in(signing, name).status_code == 303
    return signing


def test_a_page_is_built_once_while_the_store_is_unchanged(
    site: Settings, builds: Counter[str]
) -> None:
    analyst = browser(create_app(site), "analyst")
    pages = [analyst.get(path) for path in ("/dashboard", LINE, f"/api/snapshots/{SEPTEMBER}")]
    again = [analyst.get(path) for path in ("/dashboard", LINE, f"/api/snapshots/{SEPTEMBER}")]
    assert [p.status_code for p in pages + again] == [200] * 6
    assert [p.content for p in again] == [p.content for p in pages]
    assert all(built(site, builds[page], 1) for page in ("dashboard", "line", "api"))
    assert again[0].headers["content-type"] == "text/html; charset=utf-8"
    assert again[2].headers["content-type"] == "application/json"
    assert again[0].headers["cache-control"] == "no-store"  # still no shared cache keeps them


def test_a_forecast_a_withdrawal_and_an_import_show_at_once(
    site: Settings, builds: Counter[str], tmp_path: Path
) -> None:
    analyst = browser(create_app(site), "analyst")
    assert "snapshot 2" in analyst.get("/dashboard").text
    assert run_forecast(site, Period.parse("2018-09")).snapshot_id == 3
    assert "snapshot 3" in analyst.get("/dashboard").text  # the latest of the period
    withdraw_forecast(site, 3, "ran twice")
    shown = analyst.get("/dashboard").text
    assert "snapshot 2" in shown
    assert "snapshot 3" not in shown
    assert built(site, builds["dashboard"], 3)
    assert analyst.get(LINE).status_code == 200
    import_paths(site, [write_small_council(tmp_path / "again")], date(2018, 10, 31))
    assert analyst.get(LINE).status_code == 200
    assert analyst.get("/dashboard").status_code == 200
    assert built(site, builds["line"], 2)
    assert built(site, builds["dashboard"], 4)


def test_commentary_builds_the_pages_again(site: Settings, builds: Counter[str]) -> None:
    finance = browser(create_app(site), "finance")
    assert finance.get("/dashboard").status_code == 200
    set_commentary(site, {"placements": "Two new agency placements in September."})
    assert finance.get("/dashboard").status_code == 200
    assert built(site, builds["dashboard"], 2)


def test_a_viewer_is_never_given_a_page_built_for_an_analyst(site: Settings) -> None:
    app = create_app(site)
    analyst, viewer = browser(app, "analyst"), browser(app, "viewer")
    assert analyst.get(LINE).status_code == 200
    assert viewer.get(LINE).status_code == 403  # the placements kept for analysts stay theirs
    analysts_board, viewers_board = analyst.get("/dashboard").text, viewer.get("/dashboard").text
    assert "/lines/placements_ifa" in analysts_board  # a placement line opens its placements
    assert "/lines/" not in viewers_board
    assert "(viewer)" in viewers_board
    assert "(analyst)" not in viewers_board


def test_each_user_sees_their_own_name_and_sign_out_token(site: Settings) -> None:
    add_user(site, "obrien", Role.ANALYST, PASSWORD, actor="test", source="test")
    app = create_app(site)
    first, second = browser(app, "analyst"), browser(app, "obrien")
    for path in ("/dashboard", LINE):
        mine, theirs = first.get(path).text, second.get(path).text
        assert "<span>analyst (analyst)</span>" in mine
        assert "<span>obrien (analyst)</span>" in theirs
        assert "obrien" not in mine
        assert csrf_of(mine) != csrf_of(theirs)
        assert not re.search(r"user-[0-9a-f]{32}|csrf-[0-9a-f]{32}", mine + theirs)  # no marks
    signed_out = first.post("/logout", data={"csrf_token": csrf_of(first.get(LINE).text)})
    assert signed_out.status_code in {200, 303}
    assert first.get(LINE, follow_redirects=False).status_code != 200
    assert second.get(LINE).status_code == 200


def test_a_disabled_user_is_refused_at_once_though_their_session_was_kept(site: Settings) -> None:
    analyst = browser(create_app(site), "analyst")
    assert analyst.get("/dashboard").status_code == 200
    disable_user(site, "analyst", actor="admin", source="test")
    refused = analyst.get("/dashboard", follow_redirects=False)
    assert refused.status_code == 401


def test_the_store_version_changes_with_each_commit_and_only_then(site: Settings) -> None:
    opened = open_store(site)
    try:
        first = data_version(opened)
        assert first is not None
        assert data_version(opened) == first
        with store_transaction(site) as connection:  # another engine, as another process is
            connection.exec_driver_sql("SELECT 1")
        if site.database_url.startswith("sqlite"):
            # a read commits nothing; PostgreSQL's version is the whole server's, which the
            # test processes beside this one write to (a needless rebuild there, never stale)
            assert data_version(opened) == first
        set_commentary(site, {"placements": "Steady."})
        assert data_version(opened) != first
    finally:
        close_store(opened)
    assert data_version(opened) is None  # a closed store keeps nothing


def test_a_store_whose_version_cannot_be_read_has_its_pages_built_each_time(
    site: Settings, builds: Counter[str]
) -> None:
    app = create_app(site)
    # as on a server without the function asked (PostgreSQL before 13): an error, not a version
    app.state.settings._version._query = "SELECT no_such_function()"
    analyst = browser(app, "analyst")
    assert [analyst.get("/dashboard").status_code for _ in range(2)] == [200, 200]
    assert built(site, builds["dashboard"], 2)
    assert data_version(app.state.settings) is None
