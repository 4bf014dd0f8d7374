"""The report as an Excel workbook: a contents sheet with the narrative, then one sheet per table
holding numbers (not text) with number formats for pounds, counts and percentages, and each
section's charts as pictures with alt text beside its first table."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from carecast.reports.cells import QUOTED, write_cell
from carecast.reports.cells import workbook as safe_workbook
from carecast.reports.charts import render_png
from carecast.reports.model import SUPPRESSED_MARK, Cell, Kind, Report, Suppressed, Table

FORMATS = {
    Kind.PENCE: "£#,##0.00;[Red]-£#,##0.00",
    Kind.POUNDS: "£#,##0;[Red]-£#,##0",
    Kind.COUNT: "#,##0",
    Kind.PERCENT: "0.0%",
    Kind.NUMBER: "#,##0.0",
    Kind.DATE: "d mmm yyyy",
}
WIDTHS = {Kind.TEXT: 28, Kind.PENCE: 17, Kind.POUNDS: 14, Kind.DATE: 12}
HEADER_ROW = 3  # zero-based: title, section, blank, then the header
SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def sheet_name(key: str, used: set[str]) -> str:
    """An Excel sheet name (31 characters at most, unique in the workbook)."""
    base = SHEET_NAME.sub("_", key)[:31]
    name, number = base, 2
    while name.lower() in used:
        suffix = f"_{number}"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    used.add(name.lower())
    return name


def cell_value(cell: Cell) -> Any:
    """What Excel stores: numbers as numbers, dates as dates, a withheld value as x."""
    if isinstance(cell, Suppressed):
        return SUPPRESSED_MARK
    if isinstance(cell, Decimal):
        return float(cell)
    if isinstance(cell, date) and not isinstance(cell, datetime):
        return datetime(cell.year, cell.month, cell.day)
    return cell


class _Styles:
    """The workbook's formats, each with a twin carrying Excel's quote prefix for text that would
    otherwise read as a formula (reports/cells.py)."""

    def __init__(self, workbook: Any) -> None:
        self._workbook = workbook
        self._quoted: dict[int, Any] = {}
        self.title = self._add({"bold": True, "font_size": 13})
        self.subtle = self._add({"italic": True, "font_color": "#505a5f"})
        self.header = self._add(
            {
                "bold": True,
                "bg_color": "#f3f2f1",
                "bottom": 2,
                "text_wrap": True,
                "valign": "bottom",
            }
        )
        self.wrap = self._add({"text_wrap": True, "valign": "top"})
        self.link = workbook.add_format({"font_color": "#1d70b8", "underline": 1})
        self.cells: dict[tuple[Kind, bool], Any] = {}
        for kind in Kind:
            for total in (False, True):
                spec: dict[str, Any] = {"valign": "top"}
                if kind in FORMATS:
                    spec["num_format"] = FORMATS[kind]
                if total:
                    spec |= {"bold": True, "top": 2}
                self.cells[(kind, total)] = self._add(spec)
        self.withheld = workbook.add_format({"align": "right", "font_color": "#505a5f"})

    def _add(self, spec: dict[str, Any]) -> Any:
        made = self._workbook.add_format(spec)
        self._quoted[id(made)] = self._workbook.add_format({**spec, **QUOTED})
        return made

    def write(self, sheet: Any, row: int, column: int, value: Any, cell_format: Any) -> None:
        write_cell(
            sheet, row, column, value, cell_format=cell_format, quoted=self._quoted[id(cell_format)]
        )


def _write_table(sheet: Any, styles: _Styles, table: Table, section_title: str) -> None:
    styles.write(sheet, 0, 0, table.title, styles.title)
    styles.write(sheet, 1, 0, section_title, styles.subtle)
    for number, column in enumerate(table.columns):
        styles.write(sheet, HEADER_ROW, number, column.heading, styles.header)
        sheet.set_column(number, number, WIDTHS.get(column.kind, 12))
    last = len(table.rows) - 1
    for row_number, row in enumerate(table.rows):
        total = row_number == last and (table.total_row or row[0] == "Total")
        for number, (cell, column) in enumerate(zip(row, table.columns, strict=True)):
            target = HEADER_ROW + 1 + row_number
            value = cell_value(cell)
            if isinstance(cell, Suppressed):
                sheet.write_string(target, number, value, styles.withheld)
            elif value is None:
                sheet.write_blank(target, number, None, styles.cells[(column.kind, total)])
            else:
                styles.write(sheet, target, number, value, styles.cells[(column.kind, total)])
    sheet.freeze_panes(HEADER_ROW + 1, 1)
    note_row = HEADER_ROW + len(table.rows) + 2
    for offset, note in enumerate(table.notes):
        styles.write(sheet, note_row + offset, 0, note, styles.subtle)


def write_xlsx(report: Report, path: Path, pngs: dict[str, bytes] | None = None) -> Path:
    drawn = pngs if pngs is not None else {}
    workbook = safe_workbook(path)
    workbook.set_properties(
        {
            "title": f"{report.council_name}: {report.title}, {report.period_label}",
            "subject": report.subtitle,
            "author": "carecast",
            "company": report.council_name,
        }
    )
    styles = _Styles(workbook)
    contents = workbook.add_worksheet("Contents")
    contents.set_column(0, 0, 34)
    contents.set_column(1, 1, 110)
    styles.write(contents, 0, 0, report.council_name, styles.title)
    styles.write(contents, 1, 0, report.title, styles.title)
    styles.write(contents, 2, 0, report.subtitle, styles.subtle)
    row = 4
    if report.public:
        styles.write(
            contents,
            row,
            0,
            "Public version: counts of children from 1 to 5 are withheld (x), with "
            "further figures withheld where one could be worked out from totals. No child-level "
            "rows.",
            styles.subtle,
        )
        row += 2
    used = {"contents"}
    for number, part in enumerate(report.sections, start=1):
        styles.write(contents, row, 0, f"{number}. {part.title}", styles.title)
        row += 1
        for paragraph in part.paragraphs:
            styles.write(contents, row, 1, paragraph, styles.wrap)
            row += 1
        if part.commentary is not None:
            styles.write(contents, row, 0, "Commentary", styles.subtle)
            styles.write(contents, row, 1, part.commentary.text, styles.wrap)
            row += 1
        for index, table in enumerate(part.tables):
            name = sheet_name(table.key, used)
            sheet = workbook.add_worksheet(name)
            _write_table(sheet, styles, table, f"{number}. {part.title}")
            contents.write_url(
                row, 1, f"internal:'{name}'!A1", styles.link, f"Table: {table.title}"
            )
            row += 1
            if index == 0:
                _charts(sheet, part.charts, len(table.columns) + 1, drawn)
        if not part.tables and part.charts:
            name = sheet_name(f"{part.key}_charts", used)
            _charts(workbook.add_worksheet(name), part.charts, 0, drawn)
        for note in part.notes:
            styles.write(contents, row, 1, note, styles.subtle)
            row += 1
        row += 1
    workbook.close()
    return path


ROW_PIXELS = 20  # Excel's default row height


def _rows_for(png: bytes) -> int:
    """How many rows a chart drawn at scale 2 and shown at half size covers."""
    height = int.from_bytes(png[20:24], "big") // 2  # IHDR: width at 16, height at 20
    return -(-height // ROW_PIXELS)


def _charts(sheet: Any, charts: Any, column: int, drawn: dict[str, bytes]) -> None:
    top = HEADER_ROW
    for chart in charts:
        png = drawn[chart.key] if chart.key in drawn else render_png(chart)
        sheet.insert_image(
            top,
            column,
            f"{chart.key}.png",
            {
                "image_data": io.BytesIO(png),
                "x_scale": 0.5,
                "y_scale": 0.5,
                "description": chart.alt_text,
                "object_position": 3,
            },
        )
        top += _rows_for(png) + 2
