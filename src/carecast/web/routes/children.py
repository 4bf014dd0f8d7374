"""One child's timeline: episodes and commitments in date order. Analysts and above only: a
viewer sees aggregates, never a child."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from carecast.domain.accounts import Role
from carecast.services.accounts import WebSession
from carecast.services.children import child_timeline
from carecast.web.pages import render
from carecast.web.security import require, settings_of

router = APIRouter()
Analyst = Annotated[WebSession, Depends(require(Role.ANALYST))]


@router.get("/children/{child_id}")
def child_page(request: Request, _session: Analyst, child_id: str) -> Response:
    timeline = child_timeline(settings_of(request), child_id)
    return render(request, "child.html", {"timeline": timeline, "child_id": child_id})
