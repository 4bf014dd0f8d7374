"""The report as a paged PDF: the HTML report with print CSS, laid out by WeasyPrint."""

from __future__ import annotations

import logging
from pathlib import Path

from carecast.reports.html import render_html
from carecast.reports.model import Report


def write_pdf(report: Report, path: Path, svgs: dict[str, str] | None = None) -> tuple[Path, int]:
    """Write the PDF; returns its path and number of pages."""
    from weasyprint import HTML

    # WeasyPrint logs every CSS property it ignores at WARNING; those are not the reader's concern.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = HTML(string=render_html(report, paged=True, svgs=svgs)).render()
    document.metadata.title = f"{report.council_name}: {report.title}, {report.period_label}"
    document.metadata.authors = ["carecast"]
    document.write_pdf(path)
    return path, len(document.pages)
