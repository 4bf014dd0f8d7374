"""The read-only JSON API under /api: the same documents `--json` prints, behind the pages' role
checks (the session cookie, or an API token as `Authorization: Bearer`), each failure in the one
error shape of web/errors.py.

No document is built here: each route calls the service the command line calls and hands its
result to the same JSON builder (`snapshots --json`, `forecast --json`, `scenarios show --json`,
`project --json`), so the API and the command line cannot drift apart. The one document of our
own is the list of stored scenario runs, which the command line shows only as a table.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import version
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from carecast.documents.benchmark import benchmark_json
from carecast.documents.forecast import (
    ForecastDocument,
    SnapshotList,
    forecast_document,
    snapshot_list,
)
from carecast.documents.movements import (
    MovementsDocument,
    ReconciliationDocument,
    movements_json,
    reconciliation_document,
)
from carecast.documents.projection import projection_json
from carecast.domain.accounts import Role
from carecast.services.accounts import WebSession
from carecast.services.benchmark import benchmark_council
from carecast.services.dashboard import dashboard
from carecast.services.forecasting import list_forecasts
from carecast.services.movements import explain, reconciliation
from carecast.services.projection import run_financial_plan
from carecast.services.scenarios import stored_run, stored_runs
from carecast.web.page_cache import shared_page
from carecast.web.routes.forecasts import period_of
from carecast.web.run_form import MAX_YEARS, MIN_PATHS, MIN_YEARS
from carecast.web.security import SESSION_COOKIE, require, settings_of

# A projection here answers within the request (a few seconds on the demo council); the
# projection page runs longer ones in the background.
MAX_API_PATHS = 2000
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
PROJECTS = Role.ANALYST  # the least role that may run a projection, as on the projection page


class ErrorDetail(BaseModel):
    status: int
    code: str
    message: str


class ErrorBody(BaseModel):
    """The one shape of every failure (web/errors.py `error_body`)."""

    error: ErrorDetail


def _failure(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


Failures = dict[int | str, dict[str, Any]]  # FastAPI's `responses`
SIGNED_OUT: Failures = {
    401: _failure("Not signed in, or the session has ended: sign in at /login.")
}
REFUSED: Failures = {403: _failure("The signed-in role does not allow this.")}
UNKNOWN: Failures = {404: _failure("There is no such snapshot or scenario.")}
INVALID: Failures = {422: _failure("A query parameter is missing or out of range.")}
DOCUMENT = "A JSON object, exactly as the command line prints it with --json."

router = APIRouter(prefix="/api", tags=["api"], responses={**SIGNED_OUT, **REFUSED})
Viewer = Annotated[WebSession, Depends(require(Role.VIEWER))]
Projector = Annotated[WebSession, Depends(require(PROJECTS))]
Analyst = Annotated[WebSession, Depends(require(Role.ANALYST))]
# A DfE three-digit code (209) or an ONS code (E09000023), as `carecast benchmark --la-code`.
LA_CODE = r"^(\d{3}|[EW]\d{8})$"


@router.get(
    "/snapshots",
    summary="The stored forecast snapshots",
    description="Every forecast snapshot stored for the council, oldest first, withdrawn ones "
    "included and marked: what `carecast snapshots --json` prints. Any signed-in role.",
    response_description="`{council, snapshots: [...]}`, as `carecast snapshots --json`.",
)
def snapshots(request: Request, _session: Viewer) -> SnapshotList:
    council, found = list_forecasts(settings_of(request))
    return snapshot_list(council, found)


@router.get(
    "/snapshots/{snapshot_id}",
    summary="One snapshot's forecast",
    description="The forecast a snapshot stored: budget, outturn and variance with its 80% "
    "interval, each service line, the readiness flags, actions and savings: what `carecast "
    "forecast --json` printed when it was made. Aggregates only (a line holds a count of "
    "children, never a child), so every signed-in role sees the same document.",
    response_description=DOCUMENT,
    response_model=ForecastDocument,
    responses={**UNKNOWN, **INVALID},
)
def snapshot(request: Request, session: Viewer, snapshot_id: int) -> Response:
    def build() -> Response:
        snapshot = dashboard(settings_of(request), snapshot_id=snapshot_id).snapshot
        # the bytes FastAPI would give for the model (by alias), built once per store version
        document = forecast_document(snapshot).model_dump_json(by_alias=True)
        return Response(document, media_type="application/json")

    return shared_page(request, session, ("api-snapshot", snapshot_id), build)


@router.get(
    "/movements",
    summary="Why the forecast moved between two snapshots",
    description="The change in the forecast outturn between two snapshots, by driver and by "
    "service line: what `carecast movements --json` prints. Viewers get the movements without "
    "the placements, posts and cases behind them (`items`), analysts and above with them.",
    response_model=MovementsDocument,
    response_model_exclude_none=True,
    responses={**UNKNOWN, **INVALID},
)
def movements(
    request: Request,
    session: Viewer,
    period: Annotated[
        str | None, Query(pattern=MONTH, description="The later snapshot's period (YYYY-MM).")
    ] = None,
    since: Annotated[
        str | None, Query(pattern=MONTH, description="The earlier snapshot's period (YYYY-MM).")
    ] = None,
) -> dict[str, Any]:
    _, _, result = explain(settings_of(request), period_of(period), period_of(since))
    return movements_json(result, items=session.user.role.sees_children)


@router.get(
    "/reconciliation",
    summary="The ledger against the activity at a close",
    description="Over-commitments, under-reported placements, line mismatches and each cost "
    "centre's spend against its activity, with the children behind them: what `carecast "
    "reconcile --json` prints. Analysts and above (it is child-level throughout).",
    responses={**UNKNOWN, **INVALID},
)
def reconciliation_document_route(
    request: Request,
    _session: Analyst,
    period: Annotated[
        str | None, Query(pattern=MONTH, description="The close (YYYY-MM); the latest if left out.")
    ] = None,
) -> ReconciliationDocument:
    _, result = reconciliation(settings_of(request), period_of(period))
    return reconciliation_document(result)


@router.get(
    "/benchmarking",
    summary="The council among its statistical neighbours and England",
    description="Rates per 10,000, placement mix, unit costs and the workforce beside the "
    "statistical neighbours and England, each figure with its source, and what the council "
    "would spend at its neighbours' rate: what `carecast benchmark --json` prints. Any "
    "signed-in role (published figures only).",
    response_description=DOCUMENT,
    responses={**UNKNOWN, **INVALID},
)
def benchmarking(
    request: Request,
    _session: Viewer,
    la_code: Annotated[
        str | None,
        Query(pattern=LA_CODE, description="Another council's code; the store's own if left out."),
    ] = None,
) -> dict[str, Any]:
    return benchmark_json(benchmark_council(settings_of(request), la_code))


@router.get(
    "/scenarios",
    summary="The stored scenario runs",
    description="Every scenario run stored, oldest first (a name run again is listed again): "
    "its levers, how it was projected and its saving each year (P50 with its 80% range), the "
    "columns of `carecast scenarios list`. Any signed-in role.",
    response_description="`{scenario_runs: [...]}`.",
)
def scenarios(request: Request, _session: Viewer) -> dict[str, Any]:
    # A stored run without its full result: what it changed, how it was run, its saving.
    runs = [
        {
            "run_id": r.run_id,
            "name": r.name,
            "description": r.description,
            "files": r.files,
            "levers": r.levers,
            "projected_from": r.projected_from.isoformat(),
            "years": r.years,
            "paths": r.paths,
            "seed": r.seed,
            "saved_at": None if r.saved_at is None else r.saved_at.isoformat(),
            "saving": r.result["saving"],
        }
        for r in stored_runs(settings_of(request))
    ]
    return {"scenario_runs": runs}


@router.get(
    "/scenarios/{name}",
    summary="A stored scenario run",
    description="The latest run stored under `name`, as it was stored: what `carecast scenarios "
    "show NAME --json` and `carecast project --scenario FILE --json` print. Any signed-in role.",
    response_description=DOCUMENT,
    responses={**UNKNOWN, **INVALID},
)
def scenario(request: Request, _session: Viewer, name: str) -> dict[str, Any]:
    result: dict[str, Any] = stored_run(settings_of(request), name).result
    return result


@router.get(
    "/projection",
    summary="Project children looked after and their cost",
    description="Children looked after each 31 March and the medium-term financial plan that "
    f"prices them, computed now (nothing is stored): what `carecast project --years N --json` "
    f"prints. Analysts and above. It answers within the request, so paths are capped at "
    f"{MAX_API_PATHS:,}; the projection page runs larger ones in the background.",
    response_description=DOCUMENT,
    responses={**INVALID},
)
def projection(
    request: Request,
    _session: Projector,
    years: Annotated[int, Query(ge=MIN_YEARS, le=MAX_YEARS, description="Years ahead.")],
    paths: Annotated[
        int, Query(ge=MIN_PATHS, le=MAX_API_PATHS, description="Simulated paths.")
    ] = 1000,
    seed: Annotated[int, Query(ge=0, lt=2**63, description="The random seed.")] = 20180401,
    start: Annotated[
        str | None,
        Query(
            alias="from",
            pattern=MONTH,
            description="The month it starts from (YYYY-MM); the data's last month end if left "
            "out.",
        ),
    ] = None,
) -> dict[str, Any]:
    begin = period_of(start)
    run, plan = run_financial_plan(settings_of(request), years, begin, paths=paths, seed=seed)
    return projection_json(run.council, run.projection, plan)


@router.get("/openapi.json", include_in_schema=False)
def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of this API alone (the HTML pages are not an API). Open to anyone:
    it describes shapes and roles, never data."""
    return api_schema()


@cache
def api_schema() -> dict[str, Any]:
    schema = get_openapi(
        title="carecast API",
        version=version("carecast"),
        summary="The same documents as the command line's --json, behind the pages' roles.",
        description="Read only. Sign in at /login (the session cookie carries the role: viewer "
        "< analyst < finance < admin), or send a user's API token as `Authorization: Bearer "
        "<token>` (issued with `carecast user token-add NAME --label LABEL`; it has its user's "
        'role). Every failure answers `{"error": {"status", "code", "message"}}`.',
        routes=router.routes,
    )
    schema.setdefault("components", {})["securitySchemes"] = {
        "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
        "token": {"type": "http", "scheme": "bearer"},
    }
    schema["security"] = [{"session": []}, {"token": []}]
    return schema
