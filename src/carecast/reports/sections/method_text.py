"""How each line was forecast, in words written from the snapshot's stored assumptions as used.

The methodology describes what the engine did, not what a forecast might do: each sentence reads
the settings the snapshot stored (`assumptions.used`), so a changed setting changes the words, and
the figures behind them are in the assumptions table beside. Findings the engine stores per line
(how the ledger follows the placements) become a table of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from carecast.domain.codes import ServiceLine
from carecast.reports import narrative
from carecast.reports.model import Cell, Column, Kind, Table
from carecast.reports.sections.base import text

TRENDS = {
    "damped": "at their recent level with a damped trend",
    "full": "at their recent level with its full trend",
    "none": "at their recent level, with no trend",
}
ALLOWANCE_TYPES = {
    "sgo": "special guardianship",
    "cao": "child arrangements",
    "adoption": "adoption",
}


def _section(used: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    found = used.get(name)
    return found if isinstance(found, Mapping) else {}


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _plural(value: Decimal, unit: str) -> str:
    shown = f"{value.normalize():f}"
    return f"{shown} {unit}" + ("" if value == 1 else "s")


def placements(used: Mapping[str, Any]) -> str:
    """The placement lines: live placements at their commitments' prices, plus the demand
    allowance; open commitments with no live placement are left out."""
    settings = _section(used, "placements")
    history = _number(settings.get("history_years"))
    prices = _number(settings.get("price_history_days"))
    episodes = "the council's own episodes"
    if history:
        episodes = f"the last {_plural(history, 'year')} of {episodes}"
    words = [
        "ledger actuals to date, plus each placement live in SSDA903 at the close, costed at the "
        "weekly price of the open commitment that pays for it until the commitment's end date, "
        "the eve of the child's 18th birthday or the year end, or sooner as the ending rates "
        f"fitted to {episodes} expect. A live placement with no "
        "open commitment is costed at its line's recent average price and flagged; an open "
        "commitment with no live placement behind it (an over-commitment) is left out of the "
        "forecast and counted in the reconciliation. A demand allowance adds the placements "
        "expected to start, move, step up or down and end early"
    ]
    trend = TRENDS.get(str(settings.get("arrival_trend")))
    if trend:
        season = " and the season" if settings.get("arrival_seasonality") is True else ""
        words.append(f"; children arrive {trend}{season}")
    if prices:
        words.append(f"; new placements cost what those started in the last {prices} days cost")
    factor = _number(settings.get("early_ending_factor"))
    if factor is not None and factor != 1:
        words.append(f"; early endings at {factor.normalize():f} times the fitted rates")
    if settings.get("moves") is False:
        words.append("; a child whose placement ends early is not expected to move on")
    uplifts = settings.get("uplifts")
    if isinstance(uplifts, list | tuple):
        for uplift in uplifts:
            if isinstance(uplift, Mapping) and (pct := _number(uplift.get("pct"))) is not None:
                words.append(
                    f"; prices set before {uplift.get('date')} rise by {pct.normalize():f}%"
                )
    return "".join(words)


def posts(used: Mapping[str, Any]) -> str:
    settings = _section(used, "staffing")
    words = [
        "ledger actuals to date plus each post of the establishment at its current status and "
        "cost to its contract end or the year end, with the leavers the leaving rates expect"
    ]
    months = _number(settings.get("months_to_fill_vacancy"))
    if months:
        words.append(f" and each vacancy filled after {_plural(months, 'month')}")
    if _number(settings.get("agency_fill_share")):
        words.append(", some by agency staff at the agency premium")
    if settings.get("agency_conversions"):
        words.append("; planned conversions of agency posts to permanent ones from their dates")
    return "".join(words)


def allowances(used: Mapping[str, Any]) -> str:
    settings = _section(used, "allowances")
    words = [
        "ledger actuals to date plus each allowance in payment to its end date or the year end"
    ]
    joiners = settings.get("joiners_per_month")
    if isinstance(joiners, Mapping) and joiners:
        kinds = narrative.join([ALLOWANCE_TYPES.get(str(k), str(k)) for k in joiners])
        words.append(f", new {kinds} cases a month at their recent weekly amounts")
    if _number(settings.get("early_end_rate")):
        words.append(", and cases ending early at the rate fitted to earlier years")
    return "".join(words)


def profile(used: Mapping[str, Any]) -> str:
    settings = _section(used, "other_lines")
    if settings.get("method") == "run_rate":
        return run_rate(used)
    years = _number(settings.get("profile_years"))
    earlier = f"the last {_plural(years, 'complete year')}" if years else "earlier years"
    return (
        "ledger actuals to date plus the rest of the year spent in the same monthly pattern as "
        f"{earlier}"
    )


def run_rate(_used: Mapping[str, Any]) -> str:
    return "ledger actuals to date plus the year's monthly rate so far for the remaining months"


# The baselines' methods (commitments_only.py): what a commitments-based forecast would do.
BASELINES = {
    "actuals_plus_commitments": "ledger actuals to date plus every open placement commitment to "
    "its end date, the child's 18th birthday or the year end",
    "actuals_plus_posts": "ledger actuals to date plus each post of the establishment at its "
    "current status and cost to its contract end or the year end (vacant posts cost nothing "
    "until filled)",
    "actuals_plus_allowances": "ledger actuals to date plus each allowance in payment to its end "
    "date or the year end",
}
METHODS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "activity": placements,
    "posts": posts,
    "allowances": allowances,
    "profile": profile,
    "run_rate": run_rate,
}


def describe(method: str, used: Mapping[str, Any]) -> str:
    """The method of a line in words, from the assumptions the forecast used."""
    if method in METHODS:
        return METHODS[method](used)
    return BASELINES.get(method, method.replace("_", " "))


def _line_name(key: str) -> str:
    try:
        return ServiceLine(key).heading
    except ValueError:
        return key.replace("_", " ").capitalize()


def _timing_by_line(assumptions: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per line, what the engine found about the ledger's timing: `used.ledger_timing` and
    `findings.ledger_timing`, merged (either may be absent)."""
    found: dict[str, dict[str, Any]] = {}
    for group in ("findings", "used"):
        section = assumptions.get(group)
        timing = section.get("ledger_timing") if isinstance(section, Mapping) else None
        if not isinstance(timing, Mapping):
            continue
        for line, values in timing.items():
            if isinstance(values, Mapping):
                found.setdefault(str(line), {}).update(values)
    return found


def ledger_timing_table(assumptions: Mapping[str, Any]) -> Table | None:
    """How the ledger follows the activity, line by line, as the forecast found it; None when
    the snapshot stores no such findings."""
    timing = {
        line: values
        for line, values in _timing_by_line(assumptions).items()
        if "finding" in values or "lag_months" in values or "unposted" in values
    }
    if not timing:
        return None
    has_lag = any(_number(v.get("lag_months")) is not None for v in timing.values())
    has_unposted = any(_number(v.get("unposted")) is not None for v in timing.values())
    columns: list[Column] = [text("line", "Service line"), text("finding", "What the ledger shows")]
    if has_lag:
        columns.append(Column("lag", "Months behind the placements", Kind.NUMBER))
    if has_unposted:
        columns.append(Column("unposted", "Care not yet posted at the close", Kind.PENCE))
    rows: list[tuple[Cell, ...]] = []
    for line, values in timing.items():
        finding = str(values.get("finding") or "")
        prefix = f"{line}: "
        finding = finding.removeprefix(prefix)  # the engine may name the line first
        row: list[Cell] = [_line_name(line), narrative.pounds_in(finding)]
        if has_lag:
            row.append(_number(values.get("lag_months")))
        if has_unposted:
            row.append(_number(values.get("unposted")))
        rows.append(tuple(row))
    return Table(
        "ledger_timing",
        "How the ledger follows the placements, line by line",
        tuple(columns),
        tuple(rows),
        notes=(
            "Found by the forecast from the council's own ledger and activity and stored with "
            "the snapshot; the forecast adds the care not yet posted to the year's spend.",
        ),
    )
