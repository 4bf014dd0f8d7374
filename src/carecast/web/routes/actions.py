"""Savings, management actions and risks, and the committee report's commentary, for a period,
edited in place: a row (or a section) turns into its form and back with htmx, and every page
works as plain forms without it.

Everyone signed in reads them (they hold no child); finance and above change them. An action is
checked and stored as the actions importer stores a file, and a section's commentary as
`carecast commentary` stores it (services/action_register.py, services/commentary.py); each
change goes to the audit log with its before and after. A refused form comes back with each
problem beside its field: to htmx (which swaps only a success) with 200, to a plain form post
with 422.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from carecast.domain.accounts import Role
from carecast.domain.periods import Period
from carecast.errors import UsageError
from carecast.reports.sections import SECTION_TITLES
from carecast.services.accounts import WebSession
from carecast.services.action_register import (
    FIELDS,
    KINDS,
    LINES,
    STATUSES,
    Register,
    action_register,
    form_of,
    save_action,
)
from carecast.services.commentary import set_commentary, show_commentary
from carecast.web.jobs import form_values
from carecast.web.pages import render
from carecast.web.security import csrf_checked, require, settings_of, source_of

router = APIRouter(prefix="/actions")
EDITS = Role.FINANCE
MOST_COMMENTARY = 5000  # characters: a committee paper's paragraph or few, not a document
NEW = "new"
Viewer = Annotated[WebSession, Depends(require(Role.VIEWER))]
Editor = Annotated[WebSession, Depends(require(EDITS))]
Changer = Annotated[WebSession | None, Depends(csrf_checked(require(EDITS)))]
LABELS = {
    "action_id": "Reference",
    "kind": "Kind",
    "title": "Description",
    "service_line": "Service line",
    "owner": "Owner",
    "value": "Value (£)",
    "confidence": "Confidence",
    "status": "Status",
    "due_date": "Due date",
    "notes": "Notes",
    "": "The action",
}
HINTS = {
    "action_id": "a reference of your own, like S-07; it cannot be changed later",
    "value": "the full-year saving or cost, like 12000 or £12,000.50",
    "confidence": "high, medium, low or a percentage such as 60%; with the status it sets the RAG",
    "due_date": "YYYY-MM-DD or DD/MM/YYYY; may be left empty",
}
CHOICES = {
    "kind": [(k, k.capitalize()) for k in KINDS],
    "service_line": [(line.value, line.heading) for line in LINES],
    "status": [(s, s.replace("_", " ").capitalize()) for s in STATUSES],
}


def key_of(action_id: str) -> str:
    """An HTML id for an action's row and fields (an action's own reference may hold spaces)."""
    return "action-" + (re.sub(r"[^A-Za-z0-9_-]", "_", action_id) or NEW)


def _period(text: str | None) -> Period | None:
    if not text:
        return None
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _placed_id(key: str, field: str) -> str:
    """A field's id on the page; the form's own (its row's) for a problem of no one field."""
    return f"{key}-{field}" if field else key


def _placed(key: str, problems: dict[str, list[str]]) -> dict[str, list[str]]:
    """Problems by field name → by the field's id on the page (what the form macros read)."""
    return {_placed_id(key, field): messages for field, messages in problems.items()}


def _editing(
    register: Register,
    action_id: str,
    values: dict[str, str] | None = None,
    problems: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The context of one action's form: a new one when `action_id` is empty."""
    found = register.find(action_id) if action_id else None
    new = found is None
    blank = dict.fromkeys(FIELDS, "") | {"kind": "saving", "status": "proposed"}
    shown = values or (blank if found is None else form_of(found))
    key = key_of("" if new else action_id)
    return {
        "key": key,
        "new": new,
        "values": shown,
        "problems": _placed(key, problems or {}),
        "labels": {_placed_id(key, field): label for field, label in LABELS.items()},
    }


def _commentary(request: Request, register: Register) -> dict[str, Any]:
    snapshot_id, stored = show_commentary(settings_of(request), register.period)
    return {"snapshot_id": snapshot_id, "texts": {k: c.text for k, c in stored.items()}}


def _context(request: Request, session: WebSession, register: Register) -> dict[str, Any]:
    return {
        "register": register,
        "period": str(register.period),
        "may_edit": session.user.role.includes(EDITS),
        "edits_role": EDITS.value,
        "labels": LABELS,
        "hints": HINTS,
        "choices": CHOICES,
        "sections": SECTION_TITLES,
        "key_of": key_of,
        "editing": None,
        "editing_section": None,
        **_commentary(request, register),
    }


def _page(
    request: Request, session: WebSession, register: Register, status: int = 200, **more: Any
) -> Response:
    context = _context(request, session, register) | more
    return render(request, "actions.html", context, status)


def _back(register: Register, anchor: str) -> RedirectResponse:
    query = urlencode({"period": str(register.period)})
    return RedirectResponse(f"/actions?{query}#{anchor}", status_code=303)


def _htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


@router.get("")
def actions_page(
    request: Request,
    session: Viewer,
    period: str | None = None,
    edit: str | None = None,
    section: str | None = None,
) -> Response:
    """The register and the commentary; `edit` (an action's reference, or `new`) or `section`
    opens that form in place, for browsers without scripts."""
    register = action_register(settings_of(request), _period(period))
    more: dict[str, Any] = {}
    if session.user.role.includes(EDITS):
        if edit is not None:
            more["editing"] = _editing(register, "" if edit == NEW else edit)
        if section in SECTION_TITLES:
            more["editing_section"] = {"section": section, "problems": {}, "text": None}
    return _page(request, session, register, **more)


@router.get("/row")
def action_row(request: Request, session: Viewer, period: str, id: str = "") -> Response:
    """One action's row as read (an empty `id`: the row that offers a new one)."""
    register = action_register(settings_of(request), _period(period))
    context = _context(request, session, register) | {"action": register.find(id)}
    return render(request, "actions_row.html", context)


@router.get("/edit")
def action_form(request: Request, session: Editor, period: str, id: str = "") -> Response:
    register = action_register(settings_of(request), _period(period))
    context = _context(request, session, register) | {"editing": _editing(register, id)}
    return render(request, "actions_row.html", context)


@router.post("/save")
async def save(request: Request, session: Changer) -> Response:
    assert session is not None  # the role check refuses anyone signed out
    values = await form_values(request)
    settings = settings_of(request)
    register = action_register(settings, _period(values.get("period")))
    new = values.get("mode") == NEW
    actor = (session.user.name, source_of(request))
    saved = save_action(settings, register.period, values, new=new, actor=actor)
    if saved.action is None:
        editing = _editing(register, "" if new else values.get("action_id", ""), values)
        editing["problems"] = _placed(editing["key"], saved.problems)
        if not _htmx(request):
            return _page(request, session, register, 422, editing=editing)
        context = _context(request, session, register) | {"editing": editing}
        return render(request, "actions_row.html", context)
    if not _htmx(request):
        return _back(register, key_of(saved.action.action_id))
    # Rated with the weights of the period's forecast, as the register read before the change.
    context = _context(request, session, register) | {"action": saved.action, "added": new}
    return render(request, "actions_row.html", context)


def _section(section: str) -> str:
    if section not in SECTION_TITLES:
        raise UsageError(f"'{section[:40]}' is not a report section")
    return section


@router.get("/commentary")
def commentary_view(request: Request, session: Viewer, period: str, section: str) -> Response:
    register = action_register(settings_of(request), _period(period))
    context = _context(request, session, register) | {"section": _section(section)}
    return render(request, "actions_commentary.html", context)


@router.get("/commentary/edit")
def commentary_form(request: Request, session: Editor, period: str, section: str) -> Response:
    register = action_register(settings_of(request), _period(period))
    key = _section(section)
    editing: dict[str, Any] = {"section": key, "problems": {}, "text": None}
    context = _context(request, session, register) | {"section": key, "editing_section": editing}
    return render(request, "actions_commentary.html", context)


@router.post("/commentary")
async def save_commentary(request: Request, session: Changer) -> Response:
    assert session is not None  # the role check refuses anyone signed out
    values = await form_values(request)
    settings = settings_of(request)
    register = action_register(settings, _period(values.get("period")))
    section = _section(values.get("section", ""))
    text = values.get("text", "")
    if len(text) > MOST_COMMENTARY:
        problems = {
            f"commentary-{section}-text": [
                f"write at most {MOST_COMMENTARY:,} characters (this has {len(text):,})"
            ]
        }
        editing = {"section": section, "problems": problems, "text": text}
        if not _htmx(request):
            return _page(request, session, register, 422, editing_section=editing)
        context = _context(request, session, register)
        context |= {"section": section, "editing_section": editing}
        return render(request, "actions_commentary.html", context)
    actor = (session.user.name, source_of(request))
    set_commentary(settings, {section: text}, register.period, actor=actor)
    if not _htmx(request):
        return _back(register, f"commentary-{section}")
    context = _context(request, session, register) | {"section": section}
    return render(request, "actions_commentary.html", context)
