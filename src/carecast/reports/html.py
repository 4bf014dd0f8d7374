"""The report as one self-contained HTML file (charts inline as SVG), for screens and for print.

With `paged=True` the same page carries the CSS for paged media (A4, running headers, page
numbers, contents with page references) that the PDF writer hands to WeasyPrint.

No table ever hides a column. On screen a table wider than the window scrolls within itself and
its text wraps; printed (from a browser, or as the PDF) it takes the page's width, its text wraps,
a wide table is set in smaller type, and one still too wide for A4 gets a landscape page of its own.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from carecast.reports.charts import render_svg
from carecast.reports.formatting import format_cell, is_numeric
from carecast.reports.model import Kind, Report, Table

# How many characters (with a character of padding a column) of condensed print fit across A4
# upright less its margins, 180 mm: about 120 at the tables' usual 7.5 pt, 130 at the wide
# tables' 6.8 pt. Landscape (267 mm at 6.2 pt) takes about 200.
USUAL_CHARS = 110
WIDE_CHARS = 130
MANY_COLUMNS = 7
LONG_WORD = 12  # a longer word gets places to break after its separators (breakable)
LONGEST_PIECE = 16  # and is cut every so many characters where it has none
PADDING_CHARS = 1
AFTER = re.compile(r"(?<=[/\\:_;,=&?.-])")  # a path or code may break after its separators


def least_width(table: Table) -> int:
    """The narrowest the table can be set, in characters: numbers never wrap, so a numeric
    column needs its longest figure; a text column only its longest word, up to a point."""
    total = 0
    for number, column in enumerate(table.columns):
        shown = [format_cell(row[number], column.kind) for row in table.rows]
        if is_numeric(column.kind) or column.kind is Kind.DATE:  # never wrapped
            body = max((len(text) for text in shown), default=0)
        else:  # wrapped between words and inside long ones
            pieces = (
                len(piece) for text in shown for word in text.split() for piece in _pieces(word)
            )
            body = max(pieces, default=0)
        heading = max((len(word) for word in column.heading.split()), default=0)
        total += max(body, heading) + PADDING_CHARS
    return total


def table_layout(table: Table) -> str:
    """ "landscape" for a table too wide for A4 upright even in small type, "wide" for one set in
    small type, "" for the rest."""
    width = least_width(table)
    if width > WIDE_CHARS:
        return "landscape"
    if width > USUAL_CHARS or len(table.columns) > MANY_COLUMNS:
        return "wide"
    return ""


def _pieces(word: str) -> list[str]:
    """The parts a word may break into: a long word after its separators, and a part still
    longer than LONGEST_PIECE every so many characters."""
    if len(word) <= LONG_WORD:
        return [word]
    pieces = []
    for part in AFTER.split(word):
        pieces += [part[n : n + LONGEST_PIECE] for n in range(0, len(part), LONGEST_PIECE)]
    return [piece for piece in pieces if piece]


def breakable(text: str) -> Markup:
    """Text escaped for HTML, with a line-break opportunity (<wbr>) inside each word longer than
    LONG_WORD (see _pieces): a file path or a long code then wraps in a narrow column instead of
    widening the table beyond the page. Short words are left whole."""
    return Markup("").join(
        Markup("<wbr>").join(escape(piece) for piece in _pieces(word))
        for word in re.split(r"(\s+)", text)
    )


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
    environment.globals["table_layout"] = table_layout
    environment.filters["breakable"] = breakable
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
