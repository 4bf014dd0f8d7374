"""What administrators read: the audit log (there is no route that changes it) and the users."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from carecast.domain.accounts import Role
from carecast.reports.audit_csv import audit_csv
from carecast.services.accounts import WebSession, audit_entries, list_accounts
from carecast.web.pages import render
from carecast.web.security import require, settings_of

router = APIRouter(prefix="/admin")
Admin = Annotated[WebSession, Depends(require(Role.ADMIN))]
SHOWN = 500


@router.get("/audit")
def audit_page(request: Request, _session: Admin) -> Response:
    entries = audit_entries(settings_of(request), SHOWN)
    return render(request, "audit.html", {"entries": entries, "shown": SHOWN})


@router.get("/audit.csv")
def audit_download(request: Request, _session: Admin) -> Response:
    """Every entry of the audit log (not only the newest shown on the page), as CSV."""
    text = audit_csv(audit_entries(settings_of(request)))
    name = f"carecast-audit-{datetime.now(UTC):%Y%m%d-%H%M%S}.csv"
    return Response(
        text.encode("utf-8-sig"),  # with a BOM, so that Excel reads it as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/users")
def users_page(request: Request, _session: Admin) -> Response:
    return render(request, "users.html", {"users": list_accounts(settings_of(request))})
