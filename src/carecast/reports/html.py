"""The report as one self-contained HTML file (charts inline as SVG), for screens and for print.

With `paged=True` the same page carries the CSS for paged media (A4, running headers, page
numbers, contents with page references) that the PDF writer hands to WeasyPrint.
"""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from carecast.reports.charts import render_svg
from carecast.reports.formatting import format_cell, is_numeric
from carecast.reports.model import Report


def css_text(value: str) -> Markup:
    """A value as a quoted CSS string, safe inside a <style> element."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return Markup(f'"{escaped}"')


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("carecast.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["css_text"] = css_text
    environment.globals["cell_text"] = format_cell
    environment.globals["numeric"] = is_numeric
    return environment


def chart_svgs(report: Report) -> dict[str, str]:
    """Every chart of the report drawn as SVG, by chart key."""
    return {chart.key: render_svg(chart) for part in report.sections for chart in part.charts}


def logo_uri(report: Report) -> str | None:
    if report.logo is None:
        return None
    return f"data:{report.logo_type};base64,{base64.b64encode(report.logo).decode('ascii')}"


def render_html(report: Report, *, paged: bool = False, svgs: dict[str, str] | None = None) -> str:
    return (
        _environment()
        .get_template("report.html")
        .render(
            report=report,
            paged=paged,
            svgs=svgs if svgs is not None else chart_svgs(report),
            logo_uri=logo_uri(report),
        )
    )


def write_html(report: Report, path: Path, svgs: dict[str, str] | None = None) -> Path:
    path.write_text(render_html(report, svgs=svgs), encoding="utf-8")
    return path
