"""Administrators download the whole audit log as CSV (/admin/audit.csv): every entry, oldest
first, before and after as JSON, formula-like text kept as text; no other role may."""

from __future__ import annotations

import csv
import io
import json

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.services.accounts import add_user, audit_entries
from carecast.services.api_tokens import issue_token
from tests.webhelp import PASSWORD, add_role_users, signed_in


def test_an_administrator_downloads_every_entry_oldest_first(settings: Settings) -> None:
    add_role_users(settings)
    add_user(settings, "jo.smith", Role.VIEWER, PASSWORD, actor="=cmd|calc", source="test")
    issue_token(settings, "jo.smith", "warehouse", actor="admin", source="test")
    response = signed_in(settings, Role.ADMIN).get("/admin/audit.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="carecast-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    stored = audit_entries(settings)  # newest first; the file is oldest first
    assert [int(r["ID"]) for r in rows] == sorted(e.entry_id for e in stored)
    assert len(rows) == len(stored) >= 7  # four users, two added later, a token, a sign-in
    added = next(r for r in rows if r["SUBJECT"] == "jo.smith" and r["ACTION"] == "user_added")
    assert added["ACTOR"] == "'=cmd|calc"  # a spreadsheet opens it as text, not a formula
    assert json.loads(added["AFTER"]) == {"disabled": False, "role": "viewer"}
    assert added["BEFORE"] == ""
    token = next(r for r in rows if r["ACTION"] == "api_token_issued")
    assert json.loads(token["AFTER"]) == {"label": "warehouse"}


def test_no_other_role_may_download_it(settings: Settings) -> None:
    add_role_users(settings)
    for role in (Role.VIEWER, Role.ANALYST, Role.FINANCE):
        assert signed_in(settings, role).get("/admin/audit.csv").status_code == 403
