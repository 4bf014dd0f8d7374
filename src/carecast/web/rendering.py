"""Templates and the filters they use: money to the penny, dates as the finance team writes them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from carecast.domain.codes import ServiceLine
from carecast.domain.money import to_pence

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
HTMX = "htmx-2.0.11.min.js"


def money(value: Decimal | None, *, signed: bool = False) -> str:
    """£1,234,567.89 to the penny; a minus sign, not a hyphen, below zero; + for an overspend."""
    if value is None:
        return "—"
    text = f"£{abs(value):,.2f}"
    if value < 0:
        return "−" + text
    return ("+" + text) if signed and value > 0 else text


def money_data(value: Decimal | None, *, signed: bool = False) -> Markup:
    """The amount as text, with its pence as the machine-readable value of a <data> element."""
    if value is None:
        return Markup("—")
    # Built directly, not with Markup.format (five times slower; a dashboard shows over a hundred
    # amounts): both parts are ours and hold no character HTML would need escaped.
    return Markup(f'<data value="{to_pence(value)}">{money(value, signed=signed)}</data>')


def pounds(value: float | None, *, signed: bool = False) -> str:
    """A projection's whole pounds (£1,234,567): a plan years ahead is not known to the penny."""
    if value is None:
        return "—"
    text = f"£{abs(value):,.0f}"
    if round(value) < 0:
        return "−" + text
    return ("+" + text) if signed and round(value) > 0 else text


def children(value: float | None) -> str:
    """Children as the projection's bands give them: whole, or to one place between two."""
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def line_heading(value: str) -> str:
    """A service line's heading from its code (`placements_ifa`), as the JSON results hold it."""
    try:
        return ServiceLine(value).heading
    except ValueError:
        return value


def day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return f"{value:%d %b %Y %H:%M} UTC"
    return f"{value:%d %b %Y}"


def jsonish(value: dict[str, Any] | None) -> str:
    if not value:
        return ""
    return "; ".join(f"{key}: {item}" for key, item in value.items())


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.autoescape = True
    env.auto_reload = False  # shipped in the package: compiled once, never looked at again on disk
    env.filters.update(
        money=money,
        money_data=money_data,
        day=day,
        jsonish=jsonish,
        pounds=pounds,
        children=children,
        line_heading=line_heading,
    )
    env.globals.update(htmx=HTMX, escape=escape, zip=zip)
    return templates
