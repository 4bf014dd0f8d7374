"""The JSON API under /api (SQLite and PostgreSQL): each document equals what the command line's
JSON builder makes of the same store, behind the pages' role checks, every failure in the one
error shape, and an OpenAPI document that lists the API and nothing else."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from carecast.config import Settings
from carecast.documents.forecast import forecast_json, summary_json
from carecast.documents.projection import projection_json
from carecast.domain.accounts import Role
from carecast.services.forecasting import list_forecasts, withdraw_forecast
from carecast.services.projection import run_financial_plan
from carecast.services.scenarios import stored_run
from carecast.services.setup import council_transaction
from carecast.store.scenario_runs import NewScenarioRun, add_scenario_run
from carecast.store.snapshots import load_snapshot
from carecast.web.routes.api import ErrorBody
from tests.test_web_projection import projected_council
from tests.webhelp import add_role_users, client, forecast_small_council, signed_in

API_PATHS = {
    "/api/snapshots",
    "/api/snapshots/{snapshot_id}",
    "/api/scenarios",
    "/api/scenarios/{name}",
    "/api/projection",
    "/api/movements",
    "/api/reconciliation",
    "/api/benchmarking",
}
SAVING = [{"financial_year": "2018-19", "central": 41_600, "p10": 40_000, "p90": 43_000}]


def store_scenario_run(settings: Settings, name: str, seed: int) -> None:
    """A run as `carecast project --scenario` stores it; its result is opaque to the API."""
    run = NewScenarioRun(
        name=name,
        description="Renegotiate agency fostering",
        levers=[{"kind": "unit_cost", "service_line": "placements_ifa", "change": -0.1}],
        files=["cheaper-ifa.toml"],
        projected_from=date(2018, 3, 31),
        years=1,
        paths=200,
        seed=seed,
        result={"scenario": {"name": name, "seed": seed}, "saving": SAVING},
    )
    with council_transaction(settings) as (connection, council):
        add_scenario_run(connection, council, run)


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> Settings:
    """The small council forecast at 2018-08 and 2018-09 (the earlier snapshot withdrawn), a
    scenario run twice, and a user of every role."""
    forecast_small_council(settings, tmp_path)
    withdraw_forecast(settings, 1, "ran before the September ledger")
    store_scenario_run(settings, "cheaper-ifa", 7)
    store_scenario_run(settings, "cheaper-ifa", 8)
    add_role_users(settings)
    return settings


def assert_error(answer: Any, status: int, code: str) -> None:
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message"}
    assert (body["error"]["status"], body["error"]["code"]) == (status, code)
    assert body["error"]["message"]
    ErrorBody.model_validate(body)  # the shape the OpenAPI document gives every failure


def test_the_snapshots_are_what_snapshots_json_prints(site: Settings) -> None:
    council, found = list_forecasts(site)
    answer = signed_in(site, Role.VIEWER).get("/api/snapshots")
    assert answer.status_code == 200
    assert answer.json() == {
        "council": council.name,
        "snapshots": [summary_json(s) for s in found],
    }
    listed = answer.json()["snapshots"]
    assert [(s["snapshot_id"], s["period"], s["withdrawn"]) for s in listed] == [
        (1, "2018-08", True),
        (2, "2018-09", False),
    ]


def test_a_snapshot_is_what_forecast_json_printed_and_the_same_for_every_role(
    site: Settings,
) -> None:
    with council_transaction(site) as (connection, council):
        expected = forecast_json(load_snapshot(connection, council, 2))
    for role in Role:
        answer = signed_in(site, role).get("/api/snapshots/2")
        assert answer.status_code == 200
        assert answer.json() == expected
    # aggregates only: the lines count children, and no child's identifier is anywhere in it
    assert {type(line["children"]) for line in expected["lines"]} <= {int, type(None)}
    assert "ZQX44" not in signed_in(site, Role.VIEWER).get("/api/snapshots/2").text


def test_the_scenario_runs_are_listed_and_one_is_its_stored_result(site: Settings) -> None:
    viewer = signed_in(site, Role.VIEWER)
    listed = viewer.get("/api/scenarios").json()["scenario_runs"]
    assert [(r["run_id"], r["name"], r["seed"], r["saving"]) for r in listed] == [
        (1, "cheaper-ifa", 7, SAVING),
        (2, "cheaper-ifa", 8, SAVING),
    ]
    assert listed[0]["projected_from"] == "2018-03-31"
    saved_at = datetime.fromisoformat(listed[0]["saved_at"])
    assert saved_at.replace(tzinfo=saved_at.tzinfo or UTC) <= datetime.now(UTC)
    shown = viewer.get("/api/scenarios/cheaper-ifa")
    assert shown.status_code == 200
    assert shown.json() == stored_run(site, "cheaper-ifa").result  # `scenarios show --json`
    assert shown.json()["scenario"]["seed"] == 8  # the latest run of the name


def test_signed_out_unknown_and_invalid_requests_answer_the_one_error_shape(
    site: Settings,
) -> None:
    anonymous = client(site)
    for path in ("/api/snapshots", "/api/snapshots/2", "/api/scenarios", "/api/projection"):
        assert_error(anonymous.get(path), 401, "not_signed_in")
    viewer = signed_in(site, Role.VIEWER)
    assert_error(viewer.get("/api/snapshots/99"), 404, "not_found")
    assert_error(viewer.get("/api/scenarios/no-such-run"), 404, "not_found")
    assert_error(viewer.get("/api/no-such-thing"), 404, "http_404")
    assert_error(viewer.get("/api/snapshots/two"), 422, "invalid_request")
    assert_error(viewer.get("/api/projection?years=1"), 403, "access_denied")
    analyst = signed_in(site, Role.ANALYST)
    for query in ("", "years=6", "years=1&paths=2001", "years=1&seed=-1", "years=1&from=2018-13"):
        assert_error(analyst.get(f"/api/projection?{query}"), 422, "invalid_request")


def test_the_projection_is_what_project_json_prints_for_analysts_and_above(
    settings: Settings, tmp_path: Path
) -> None:
    projected_council(settings, tmp_path / "extract")
    add_role_users(settings)
    run, plan = run_financial_plan(settings, 1, paths=100, seed=7)
    expected = projection_json(run.council, run.projection, plan)
    assert_error(
        signed_in(settings, Role.VIEWER).get("/api/projection?years=1"), 403, "access_denied"
    )
    answer = signed_in(settings, Role.ANALYST).get("/api/projection?years=1&paths=100&seed=7")
    assert answer.status_code == 200
    assert answer.json() == expected
    assert answer.json()["from"] == "2018-03-31"


def test_the_openapi_document_lists_the_api_alone_with_its_failures(site: Settings) -> None:
    answer = client(site).get("/api/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"].startswith("3.")
    assert {"title", "version"} <= set(document["info"])
    assert set(document["paths"]) == API_PATHS
    error = document["components"]["schemas"]["ErrorBody"]
    assert error["required"] == ["error"]
    for path, operations in document["paths"].items():
        assert set(operations) == {"get"}, path
        operation = operations["get"]
        assert operation["summary"], path
        assert operation["description"], path
        responses = operation["responses"]
        assert {"200", "401", "403"} <= set(responses), path
        for status in set(responses) - {"200"}:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, status)
    for path in ("/api/snapshots/{snapshot_id}", "/api/scenarios/{name}"):
        assert "404" in document["paths"][path]["get"]["responses"]
    parameters = {p["name"] for p in document["paths"]["/api/projection"]["get"]["parameters"]}
    assert parameters == {"years", "paths", "seed", "from"}
    # the documents are described by the models that build them (carecast/documents)
    shapes = document["components"]["schemas"]
    assert {
        "ForecastDocument",
        "SnapshotList",
        "MovementsDocument",
        "ReconciliationDocument",
    } <= set(shapes)
    assert "from" in shapes["MovementsDocument"]["properties"]
