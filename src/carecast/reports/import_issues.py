"""The full list of an import's problems as a spreadsheet or CSV file (`import --errors-out`).

The terminal shows the first few hundred problems; this file holds every one, one row each with
file, row, column, rule, severity and message, so that a data team can sort and filter it.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from carecast.errors import Issue, UsageError
from carecast.reports.cells import csv_row, workbook, write_cell

HEADINGS = ("file", "row", "column", "rule", "severity", "message")
ERRORS_OUT_SUFFIXES = (".xlsx", ".csv")
XLSX_MAX_ROWS = 1_048_576  # Excel's limit, heading included


def check_errors_out(path: Path) -> None:
    """Refuse an --errors-out path carecast cannot write, before any work is done."""
    if path.suffix.lower() not in ERRORS_OUT_SUFFIXES:
        raise UsageError(
            f"--errors-out '{path}' must end in .xlsx or .csv (the format is chosen by the suffix)"
        )
    if not path.parent.is_dir():
        raise UsageError(f"--errors-out '{path}': the folder {path.parent} does not exist")


def write_issues(path: Path, issues: Sequence[Issue]) -> Path:
    """Write every issue, errors first in the order found, then warnings.

    Each problem is one row with its text on one line (Issue.fields), and a cell a spreadsheet
    would run as a formula is written as text (reports/cells.py).
    """
    ordered = sorted(issues, key=lambda i: i.severity.value != "error")
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADINGS)
            writer.writerows(csv_row(issue.fields()) for issue in ordered)
        return path
    book = workbook(path, {"constant_memory": True})
    try:
        sheet = book.add_worksheet("problems")
        bold = book.add_format({"bold": True})
        quoted = book.add_format({"quote_prefix": True})
        sheet.write_row(0, 0, HEADINGS, bold)
        shown = ordered[: XLSX_MAX_ROWS - 2]
        for number, issue in enumerate(shown, start=1):
            for column, value in enumerate(issue.fields()):
                write_cell(sheet, number, column, value, cell_format=None, quoted=quoted)
        if len(shown) < len(ordered):
            sheet.write(
                len(shown) + 1,
                0,
                f"{len(ordered) - len(shown)} more problems do not fit in a worksheet; "
                "use --errors-out with a .csv file",
            )
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, len(shown), len(HEADINGS) - 1)
        for column, width in enumerate((40, 8, 18, 28, 9, 100)):
            sheet.set_column(column, column, width)
    finally:
        book.close()
    return path
