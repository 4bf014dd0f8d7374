"""out/summary.html: the monthly close on one page (the full committee report arrives with [4])."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from carecast.domain.provenance import ForecastSnapshot
from carecast.reports.figures import millions, pounds


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("carecast.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
    )
    environment.filters["pounds"] = pounds
    environment.filters["millions"] = millions
    return environment


def render_summary(snapshot: ForecastSnapshot) -> str:
    forecast = snapshot.forecast
    return (
        _environment()
        .get_template("summary.html")
        .render(
            snapshot=snapshot,
            forecast=forecast,
            council=snapshot.council,
            year=forecast.period.financial_year,
        )
    )


def write_summary(snapshot: ForecastSnapshot, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_summary(snapshot), encoding="utf-8")
    return path
