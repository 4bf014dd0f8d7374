"""Imports from the browser: upload files (or a folder as a zip), see every located problem, then
confirm or discard. Nothing reaches the council's data before confirmation, and confirming imports
through the same service as `carecast import`. For the finance role and above; every confirmation
and discard is written to the audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import IO, Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from carecast.domain.accounts import Role
from carecast.errors import InvalidInput, Issue, NotFound, Severity, UsageError
from carecast.services.accounts import WebSession
from carecast.services.staged_imports import Staged, StagingArea
from carecast.services.upload_files import UploadRefused, size
from carecast.web.pages import render
from carecast.web.security import csrf_checked, require, settings_of, source_of

router = APIRouter(prefix="/imports")
IMPORTS = Role.FINANCE  # importing changes the council's data
FORM_BYTES = 64 * 1024  # what a form adds around its files: boundaries, headings, fields
SHOWN = 1_000  # problems on the page; more are counted, and the downloads hold every one
Importer = Annotated[WebSession, Depends(require(IMPORTS))]
Checked = Annotated[WebSession | None, Depends(csrf_checked(require(IMPORTS)))]

# A problem table's columns: the key each sorts by. Rows without a row number sort first.
COLUMNS: dict[str, tuple[str, Callable[[Issue], Any]]] = {
    "file": ("File", lambda i: i.source),
    "row": ("Row", lambda i: (i.row is not None, i.row or 0)),
    "column": ("Column", lambda i: i.column or ""),
    "rule": ("Rule", lambda i: i.rule),
    "message": ("Message", lambda i: i.message),
    "severity": ("Severity", lambda i: i.severity is not Severity.ERROR),  # errors first
}
DEFAULT_ORDER = ("severity", "file", "row", "column")
DOWNLOADS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def staging_of(request: Request) -> StagingArea:
    staging: StagingArea = request.app.state.staging
    return staging


def sorted_issues(issues: tuple[Issue, ...], column: str, descending: bool) -> list[Issue]:
    """The problems by one column (then file, row and column), or errors first by default."""
    order = [column, *(c for c in DEFAULT_ORDER if c != column)]
    keys = [COLUMNS[c][1] for c in order]
    first = sorted(issues, key=lambda i: tuple(k(i) for k in keys[1:]))
    return sorted(first, key=keys[0], reverse=descending)


def within_cap(request: Request, _session: Importer) -> None:
    """Refuse an upload larger than the cap from its declared length, before reading its body
    (and before that, anyone whose role does not import)."""
    cap = staging_of(request).limits.upload_bytes
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        raise UploadRefused("an upload must say its length (Content-Length); nothing was kept")
    if int(declared) > cap + FORM_BYTES:
        raise UploadRefused(
            f"the upload is {size(int(declared))}; at most {size(cap)} are taken at once. Send "
            "fewer files at a time, or a zip. Nothing was kept"
        )


def _as_of(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _form_page(
    request: Request,
    session: WebSession,
    *,
    problems: dict[str, list[str]] | None = None,
    refusal: str | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    staging = staging_of(request)
    context = {
        "waiting": staging.waiting(session.user.name),
        "problems": problems or {},
        "refusal": refusal,
        "values": values or {},
        "discarded": request.query_params.get("discarded") == "1",
        "cap": size(staging.limits.upload_bytes),
        "labels": {"as_of": "As of", "files": "Files"},
    }
    return render(request, "imports.html", context, status)


def _review_page(
    request: Request, staged: Staged, *, rechecked: bool = False, status: int = 200
) -> Response:
    column = request.query_params.get("sort", "")
    descending = request.query_params.get("order") == "desc"
    if column not in COLUMNS:
        column, descending = "severity", False
    issues = sorted_issues(staged.issues, column, descending)
    rows: dict[str, int] = {}
    for staged_file in staged.files:
        rows[staged_file.dataset] = rows.get(staged_file.dataset, 0) + staged_file.rows
    context = {
        "staged": staged,
        "issues": issues[:SHOWN],
        "hidden": max(0, len(issues) - SHOWN),
        "columns": COLUMNS,
        "sort": column,
        "descending": descending,
        "rows": rows,
        "rechecked": rechecked,
    }
    return render(request, "imports_review.html", context, status)


@router.get("")
def imports_page(request: Request, session: Importer) -> Response:
    return _form_page(request, session)


@router.post("", dependencies=[Depends(within_cap)])
async def upload(request: Request, session: Checked) -> Response:
    assert session is not None  # the role check refuses anyone signed out
    form = await request.form()
    values = {"as_of": str(form.get("as_of", "")), "allow_empty": str(form.get("allow_empty", ""))}
    sent = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    problems: dict[str, list[str]] = {}
    as_of = _as_of(values["as_of"])
    if as_of is None:
        problems["as_of"] = ["give the date the data describes, as YYYY-MM-DD"]
    if not sent:
        problems["files"] = ["choose a file, several files, or a folder as a .zip"]
    if as_of is None or problems:
        return _form_page(request, session, problems=problems, values=values, status=422)
    uploads: list[tuple[str, IO[bytes]]] = [(str(f.filename), f.file) for f in sent]
    chosen = form.get("mapping")
    mapping = (
        (str(chosen.filename), chosen.file)
        if isinstance(chosen, UploadFile) and chosen.filename
        else None
    )
    try:
        staged = await run_in_threadpool(
            staging_of(request).stage,
            settings_of(request),
            session.user.name,
            uploads,
            as_of,
            allow_empty=values["allow_empty"] == "on",
            mapping=mapping,
        )
    except UsageError as refused:  # too large, a zip leading out of its folder, a key missing …
        message = " ".join(refused.lines())
        return _form_page(request, session, refusal=message, values=values, status=400)
    return RedirectResponse(f"/imports/{staged.upload_id}", status_code=303)


@router.get("/{upload_id}")
def review_page(request: Request, session: Importer, upload_id: str) -> Response:
    return _review_page(request, staging_of(request).find(upload_id, session.user.name))


@router.get("/{upload_id}/problems.{suffix}")
def problems_download(request: Request, session: Importer, upload_id: str, suffix: str) -> Response:
    """Every problem, however many, as a spreadsheet or CSV (the page shows the first SHOWN)."""
    if suffix not in DOWNLOADS:
        raise NotFound("problems can be downloaded as .xlsx or .csv")
    path = staging_of(request).problems_file(upload_id, session.user.name, f".{suffix}")
    return FileResponse(
        path,
        media_type=DOWNLOADS[suffix],
        filename=f"problems.{suffix}",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


@router.post("/{upload_id}/confirm")
async def confirm(request: Request, session: Checked, upload_id: str) -> Response:
    assert session is not None
    actor = (session.user.name, source_of(request))
    staging = staging_of(request)
    try:
        staged, outcome = await run_in_threadpool(
            staging.confirm, settings_of(request), upload_id, session.user.name, actor
        )
    except InvalidInput:  # checked again, as the store is now: the problems, nothing stored
        rechecked = staging.find(upload_id, session.user.name)
        return _review_page(request, rechecked, rechecked=True, status=422)
    rows: dict[str, int] = {}
    for batch in outcome.stored:
        rows[batch.dataset] = rows.get(batch.dataset, 0) + batch.row_count
    context = {"staged": staged, "outcome": outcome, "rows": rows}
    return render(request, "imports_done.html", context)


@router.post("/{upload_id}/discard")
async def discard(request: Request, session: Checked, upload_id: str) -> Response:
    assert session is not None
    actor = (session.user.name, source_of(request))
    await run_in_threadpool(
        staging_of(request).discard, settings_of(request), upload_id, session.user.name, actor
    )
    return RedirectResponse("/imports?discarded=1", status_code=303)
