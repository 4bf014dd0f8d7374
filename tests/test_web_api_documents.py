"""The API's movements, reconciliation and benchmarking (SQLite and PostgreSQL): each the document
the command line prints (carecast/documents builds both), behind the pages' roles — movements
without what is behind them for viewers, the reconciliation (child-level) for analysts only."""

from __future__ import annotations

from pathlib import Path

import pytest

from carecast.config import Settings
from carecast.documents.benchmark import benchmark_json
from carecast.documents.movements import movements_json, reconciliation_json
from carecast.domain.accounts import Role
from carecast.domain.periods import Period
from carecast.services.benchmark import benchmark_council
from carecast.services.movements import explain, reconciliation
from tests.webhelp import add_role_users, forecast_small_council, signed_in


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> Settings:
    forecast_small_council(settings, tmp_path)  # closes 2018-08 and 2018-09
    add_role_users(settings)
    return settings


def test_movements_are_what_the_command_line_prints_and_viewers_see_no_items(
    site: Settings,
) -> None:
    _, _, result = explain(site, Period.parse("2018-09"), Period.parse("2018-08"))
    expected = movements_json(result)
    assert expected["from"]["period"] == "2018-08"
    assert expected["to"]["period"] == "2018-09"
    url = "/api/movements?period=2018-09&since=2018-08"
    assert signed_in(site, Role.ANALYST).get(url).json() == expected
    aggregate = signed_in(site, Role.VIEWER).get(url).json()
    assert aggregate == movements_json(result, items=False)
    assert all("items" not in m for m in aggregate["movements"])
    assert aggregate["change"] == pytest.approx(sum(aggregate["drivers"].values()), abs=0.01)


def test_the_reconciliation_is_for_analysts_and_above(site: Settings) -> None:
    _, result = reconciliation(site, Period.parse("2018-09"))
    for role in (Role.ANALYST, Role.FINANCE, Role.ADMIN):
        answer = signed_in(site, role).get("/api/reconciliation?period=2018-09")
        assert answer.json() == reconciliation_json(result)
    refused = signed_in(site, Role.VIEWER).get("/api/reconciliation")
    assert refused.status_code == 403


def test_benchmarking_is_the_benchmark_document(site: Settings) -> None:
    expected = benchmark_json(benchmark_council(site, "209"))
    answer = signed_in(site, Role.VIEWER).get("/api/benchmarking?la_code=209")
    assert answer.status_code == 200
    assert answer.json() == expected


@pytest.mark.parametrize("period", ["0000-01", "9999-12"])
def test_a_period_outside_any_councils_records_is_refused_not_a_failure(
    site: Settings, period: str
) -> None:
    """Found by schemathesis: 0000-01 reached the date arithmetic and answered 500."""
    for path in ("/api/reconciliation", "/api/movements", "/reconciliation", "/movements"):
        answer = signed_in(site, Role.ANALYST).get(f"{path}?period={period}")
        assert answer.status_code == 400, path
        assert "outside the years 1900–2199" in answer.text, path
