"""The council among its statistical neighbours and England, from the published data carecast
ships (and any newer releases imported), with the store's own figures beside them and what the
council would spend at its neighbours' rate of children looked after. Every figure names its
source. Published aggregates only: open to everyone signed in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from carecast.domain.accounts import Role
from carecast.errors import CarecastError
from carecast.services.accounts import WebSession
from carecast.services.benchmark import benchmark_council
from carecast.web.errors import code_of, status_of
from carecast.web.pages import render
from carecast.web.security import require, settings_of

router = APIRouter()
Viewer = Annotated[WebSession, Depends(require(Role.VIEWER))]
# A DfE three-digit code (209) or an ONS code (E09000023), as `carecast benchmark --la-code`.
LA_CODE = r"^(\d{3}|[EW]\d{8})$"


@router.get("/benchmarking")
def benchmarking_page(
    request: Request,
    _session: Viewer,
    la_code: Annotated[str | None, Query(pattern=LA_CODE)] = None,
) -> Response:
    context: dict[str, object] = {"la_code": la_code or "", "result": None, "refusal": None}
    status = 200
    try:
        context["result"] = benchmark_council(settings_of(request), la_code)
    except CarecastError as refused:
        # A code in none of the reference files (the store's own among them): said on the page,
        # with the code box above it, so that another council can be chosen.
        status = status_of(refused)
        context["refusal"] = {"code": code_of(refused), "message": " ".join(refused.lines())}
    return render(request, "benchmarking.html", context, status)
