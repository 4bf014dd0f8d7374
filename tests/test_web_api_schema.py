"""Every operation of the JSON API, called with inputs generated from its own OpenAPI document
(schemathesis, on hypothesis): none answers with a server error, every answer has the status
and shape the document declares, and every refusal is the one error shape — signed in by an
API token as the most powerful role, and as no one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from schemathesis.checks import not_a_server_error

from carecast.config import Settings
from carecast.services.api_tokens import issue_token
from carecast.web import create_app
from tests.test_web_api import store_scenario_run
from tests.test_web_projection import projected_council
from tests.webhelp import add_role_users, client

# Each example of /api/projection runs a projection: a handful of them is the budget there.
EXAMPLES = {"/api/projection": 4}
DEFAULT_EXAMPLES = 25
ERROR_KEYS = {"status", "code", "message"}


@pytest.fixture
def api_schema(settings: Settings, tmp_path: Path) -> Any:
    projected_council(settings, tmp_path / "extract")
    store_scenario_run(settings, "cheaper-ifa", 7)
    add_role_users(settings)
    return schemathesis.openapi.from_asgi("/api/openapi.json", create_app(settings))


@pytest.mark.parametrize("who", ["admin", "anonymous"])
def test_no_input_makes_the_api_fail(settings: Settings, api_schema: Any, who: str) -> None:
    headers = {}
    if who != "anonymous":
        token = issue_token(settings, who, "schemathesis", actor="test", source="test")
        headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/snapshots", "/api/projection"}
    for operation in operations:

        @examples(
            max_examples=EXAMPLES.get(operation.path, DEFAULT_EXAMPLES),
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        @given(case=operation.as_strategy())
        def call(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])
            assert response.status_code < 500, (case.operation.path, case.path_parameters)
            if response.status_code >= 400:
                assert set(response.json()["error"]) == ERROR_KEYS
            if who == "anonymous":
                assert response.status_code == 401, (case.operation.path, response.status_code)

        call()


@pytest.mark.parametrize("snapshot_id", ["3049778235596", "95751270391914512384"])
def test_a_snapshot_id_past_the_stores_integers_is_no_snapshot(
    settings: Settings, api_schema: Any, snapshot_id: str
) -> None:
    """Found by the run above: such ids overflowed SQLite's driver and PostgreSQL's integer."""
    token = issue_token(settings, "viewer", "ids", actor="test", source="test")
    response = client(settings).get(
        f"/api/snapshots/{snapshot_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
