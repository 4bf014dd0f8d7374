"""The report as a Word document: real headings, built-in styles and tables that paste cleanly
into a committee template, charts as pictures with alt text, page numbers in the footer."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from carecast.reports.charts import render_png
from carecast.reports.formatting import format_cell, is_numeric
from carecast.reports.model import Chart, Report, SectionContent, Table

TABLE_STYLE = "Light List Accent 1"
CHART_WIDTH_CM = 16.0
TABLE_FONT_PT = 8


def _field(paragraph: Any, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays the page out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (
        ("begin", None),
        (None, code),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == code:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {code} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _page_furniture(document: Any, report: Report) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(1.8)
    header = section.header.paragraphs[0]
    if report.logo is not None:
        header.add_run().add_picture(io.BytesIO(report.logo), height=Cm(1.0))
        header.add_run("  ")
    header.add_run(
        f"{report.council_name} · {report.title} · {report.period_label}"
    ).font.size = Pt(8)
    footer = section.footer.paragraphs[0]
    footer.add_run(report.footer + "    Page ").font.size = Pt(8)
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    footer.alignment = WD_ALIGN_PARAGRAPH.LEFT


def _picture(document: Any, chart: Chart, png: bytes) -> None:
    from docx.shared import Cm

    document.add_picture(io.BytesIO(png), width=Cm(CHART_WIDTH_CM))
    shape = document.inline_shapes[-1]
    shape._inline.docPr.set("descr", chart.alt_text)
    shape._inline.docPr.set("title", chart.title)
    document.add_paragraph(chart.title, style="Caption")


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _table(document: Any, table: Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document.add_paragraph(table.title, style="Caption")
    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.columns))
    grid.style = document.styles[TABLE_STYLE]
    last = len(table.rows)
    total_row = table.total_row or (bool(table.rows) and table.rows[-1][0] == "Total")
    right = [is_numeric(column.kind) for column in table.columns]
    texts = [[column.heading for column in table.columns]] + [
        [format_cell(cell, column.kind) for cell, column in zip(row, table.columns, strict=True)]
        for row in table.rows
    ]
    # Row by row: python-docx looks a cell up from the start of the table on every grid.cell().
    for row_number, (row, values) in enumerate(zip(grid.rows, texts, strict=True)):
        bold = row_number == 0 or (row_number == last and total_row)
        for cell, value, is_right in zip(row.cells, values, right, strict=True):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(value)
            run.font.size = Pt(TABLE_FONT_PT)
            run.bold = bold
            if is_right:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _repeat_header(grid.rows[0])
    for note in table.notes:
        _note(document, note)


def _note(document: Any, text: str) -> None:
    from docx.shared import Pt, RGBColor

    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.font.size = Pt(8)
    run.font.color.rgb = RGBColor(0x50, 0x5A, 0x5F)


def _section(
    document: Any, number: int, part: SectionContent, pngs: Callable[[Chart], bytes]
) -> None:
    document.add_heading(f"{number}. {part.title}", level=1)
    if part.tables_first:
        for table in part.tables:
            _table(document, table)
    for paragraph in part.paragraphs:
        document.add_paragraph(paragraph)
    if part.commentary is not None:
        document.add_heading("Commentary", level=2)
        for text in part.commentary.text.split("\n\n"):
            document.add_paragraph(text, style="Intense Quote")
        _note(
            document,
            f"Written for snapshot {part.commentary.snapshot_id} on {part.commentary.written_at}.",
        )
    for chart in part.charts:
        _picture(document, chart, pngs(chart))
    if not part.tables_first:
        for table in part.tables:
            _table(document, table)
    for note in part.notes:
        _note(document, note)


def write_docx(report: Report, path: Path, pngs: dict[str, bytes] | None = None) -> Path:
    from docx import Document

    document = Document()
    document.core_properties.title = f"{report.council_name}: {report.title}, {report.period_label}"
    document.core_properties.author = "carecast"
    document.core_properties.subject = report.subtitle
    _page_furniture(document, report)
    document.add_paragraph(report.title, style="Title")
    document.add_paragraph(report.subtitle, style="Subtitle")
    if report.generated_on is not None:
        document.add_paragraph(f"Produced on {report.generated_on:%d %B %Y} by carecast.")
    if report.public:
        document.add_paragraph(
            "Public version. Counts of children from 1 to 5 are withheld and shown as x, with "
            "further figures withheld where a withheld count could be worked out from totals. No "
            "child-level rows appear in this report.",
            style="Intense Quote",
        )
    drawn = pngs if pngs is not None else {}

    def png(chart: Chart) -> bytes:
        return drawn[chart.key] if chart.key in drawn else render_png(chart)

    for number, part in enumerate(report.sections, start=1):
        _section(document, number, part, png)
    document.save(str(path))
    return path
