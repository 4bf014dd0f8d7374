"""The four writers lay out the same content: opened the way a reader's software opens them."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.text.paragraph import Paragraph
from openpyxl import load_workbook
from pypdf import PdfReader

from carecast.reports.charts import bar_chart
from carecast.reports.docx_writer import write_docx
from carecast.reports.formatting import format_cell
from carecast.reports.html import render_html, table_layout, write_html
from carecast.reports.model import (
    SUPPRESSED,
    Cell,
    Column,
    Commentary,
    Kind,
    Report,
    SectionContent,
    Table,
)
from carecast.reports.pdf import write_pdf
from carecast.reports.xlsx_writer import sheet_name, write_xlsx

D = Decimal
TABLE = Table(
    "money_and_children",
    "Money and children",
    (
        Column("line", "Line", Kind.TEXT),
        Column("budget", "Budget", Kind.PENCE),
        Column("share", "Share", Kind.PERCENT),
        Column("children", "Children", Kind.COUNT, child_count=True),
        Column("due", "Due", Kind.DATE),
    ),
    (
        ("Residential & secure", D("1234567.89"), D("0.3172"), 12, date(2019, 3, 31)),
        ("Fostering", D("-250.5"), D("-0.05"), SUPPRESSED, None),
        ("Total", D("1234317.39"), D("0.2672"), 40, None),
    ),
    total_row=True,
    notes=("A note under the table.",),
)
CHART = bar_chart(
    "bars",
    "Variance by line (£m)",
    "Two bars: residential £1.2m, fostering −£0.0m.",
    [("Residential", 1.23), ("Fostering", -0.01)],
    "£m",
    signed=True,
)
REPORT = Report(
    council_name='Anytown "Borough" & Council',
    title="Children's social care: budget monitoring 2018-19",
    subtitle="Forecast outturn at the end of period 6 (September 2018) — internal version",
    period_label="2018-09",
    public=False,
    sections=(
        SectionContent(
            "summary",
            "Summary",
            ("The forecast is £1.2m.",),
            (TABLE,),
            (CHART,),
            ("A section note.",),
            Commentary(
                "summary", "Officer's words.\n\nSecond paragraph.", 7, "1 October 2018 09:00"
            ),
        ),
        SectionContent("methodology", "Methodology", ("How it is made.",)),
    ),
    generated_on=date(2018, 10, 20),
    footer="Anytown · snapshot 7 · internal version",
)


def style(paragraph: Paragraph) -> str:
    return paragraph.style.name if paragraph.style is not None and paragraph.style.name else ""


def test_cells_read_as_members_expect() -> None:
    # Committee papers show money in whole pounds, whatever the figure of record holds.
    assert format_cell(D("1234567.891"), Kind.PENCE) == "£1,234,568"
    assert format_cell(D("1234567.49"), Kind.PENCE) == "£1,234,567"
    assert format_cell(D("-250.5"), Kind.PENCE) == "−£251"
    assert format_cell(D("-250.5"), Kind.POUNDS) == "−£251"
    assert format_cell(D("-0.004"), Kind.POUNDS) == "£0"
    assert format_cell(D("0.3172"), Kind.PERCENT) == "31.7%"
    assert format_cell(D("365.55"), Kind.NUMBER) == "365.6"
    assert format_cell(1234, Kind.COUNT) == "1,234"
    assert format_cell(date(2019, 3, 31), Kind.DATE) == "31 Mar 2019"
    assert format_cell(SUPPRESSED, Kind.COUNT) == "x"
    assert format_cell(None, Kind.PENCE) == ""


def test_html_is_self_contained_with_alt_text_and_escaped_names(tmp_path: Path) -> None:
    html = write_html(REPORT, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<svg" in html
    assert 'aria-label="Two bars: residential £1.2m, fostering −£0.0m."' in html
    assert "Anytown &#34;Borough&#34; &amp; Council" in html
    assert "£1,234,568" in html
    assert "−£251" in html
    assert "£1,234,567.89" not in html  # no pence in a committee paper
    assert "Officer&#39;s words." in html
    assert 'class="n x">x</td>' in html
    paged = render_html(REPORT, paged=True, svgs={"bars": "<svg></svg>"})
    assert "@page" in paged
    assert 'content: "Anytown \\"Borough\\" & Council"' in paged  # a CSS string, not HTML


def test_pdf_is_paged_with_headers_and_page_numbers(tmp_path: Path) -> None:
    path, pages = write_pdf(REPORT, tmp_path / "r.pdf")
    reader = PdfReader(str(path))
    assert len(reader.pages) == pages >= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "£1,234,568" in text
    assert "1,234,567.89" not in text
    assert f"Page 1 of {pages}" in text
    assert "Methodology" in reader.pages[-1].extract_text()
    assert 'Anytown "Borough" & Council' in reader.pages[-1].extract_text()  # running header
    assert reader.metadata is not None
    assert reader.metadata.title == f"{REPORT.council_name}: {REPORT.title}, 2018-09"
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (Debian poppler-utils) is needed to render the PDF")
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
    )
    rendered = list(tmp_path.glob("page*.png"))
    assert len(rendered) == 1
    assert rendered[0].stat().st_size > 5_000


def test_word_has_real_headings_styled_tables_and_pictures_with_alt_text(tmp_path: Path) -> None:
    document = Document(str(write_docx(REPORT, tmp_path / "r.docx")))
    headings = [p.text for p in document.paragraphs if style(p) == "Heading 1"]
    assert headings == ["1. Summary", "2. Methodology"]
    assert [p.text for p in document.paragraphs if style(p) == "Title"] == [REPORT.title]
    table = document.tables[0]
    assert table.style is not None
    assert table.style.name == "Light List Accent 1"
    assert [c.text for c in table.rows[0].cells] == ["Line", "Budget", "Share", "Children", "Due"]
    assert [c.text for c in table.rows[1].cells] == [
        "Residential & secure",
        "£1,234,568",
        "31.7%",
        "12",
        "31 Mar 2019",
    ]
    assert table.rows[2].cells[3].text == "x"
    assert table.rows[3].cells[1].paragraphs[0].runs[0].bold
    pictures = document.inline_shapes
    assert len(pictures) == 1
    assert pictures[0]._inline.docPr.get("descr") == CHART.alt_text
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer
    assert "NUMPAGES" in footer
    quotes = [p.text for p in document.paragraphs if style(p) == "Intense Quote"]
    assert quotes == ["Officer's words.", "Second paragraph."]


def test_excel_holds_numbers_with_formats_one_sheet_per_table(tmp_path: Path) -> None:
    workbook = load_workbook(write_xlsx(REPORT, tmp_path / "r.xlsx"))
    assert workbook.sheetnames == ["Contents", "money_and_children"]
    sheet = workbook["money_and_children"]
    assert sheet["A1"].value == "Money and children"
    assert [c.value for c in sheet[4]] == ["Line", "Budget", "Share", "Children", "Due"]
    budget, share, children, due = sheet["B5"], sheet["C5"], sheet["D5"], sheet["E5"]
    assert budget.value == pytest.approx(1234567.89, abs=0.001)
    assert budget.number_format.startswith("£#,##0.00")
    assert share.value == pytest.approx(0.3172)
    assert share.number_format == "0.0%"
    assert children.value == 12
    assert children.number_format == "#,##0"
    assert due.is_date
    assert sheet["D6"].value == "x"
    assert sheet["B7"].font.bold
    assert len(sheet._images) == 1
    contents = workbook["Contents"]
    texts = [c.value for row in contents.iter_rows() for c in row if c.value]
    assert "The forecast is £1.2m." in texts
    assert "Officer's words.\n\nSecond paragraph." in texts


def test_sheet_names_are_short_unique_and_legal() -> None:
    used: set[str] = set()
    first = sheet_name("a" * 40, used)
    second = sheet_name("a" * 40, used)
    assert len(first) == len(second) == 31
    assert first != second
    assert sheet_name("x/y:z", used) == "x_y_z"


def _register() -> Table:
    """An action register as councils keep it: long titles and owners, then Due and RAG."""
    columns = (
        Column("ref", "Ref", Kind.TEXT),
        Column("kind", "Kind", Kind.TEXT),
        Column("title", "Title", Kind.TEXT),
        Column("line", "Service line", Kind.TEXT),
        Column("owner", "Owner", Kind.TEXT),
        Column("value", "Value", Kind.POUNDS),
        Column("confidence", "Confidence", Kind.TEXT),
        Column("weighted", "Weighted value", Kind.POUNDS),
        Column("status", "Status", Kind.TEXT),
        Column("due", "Due", Kind.DATE),
        Column("rag", "RAG", Kind.TEXT),
    )
    rows = tuple(
        (
            f"SAV-{n:02}",
            "Management action",
            "Recommission the semi-independent accommodation framework with the sub-region "
            "(/shared/finance/commissioning/frameworks/semi-independent-2018-19.xlsx)",
            "Independent fostering agencies",
            "Head of Service, Looked After Children and Care Leavers",
            D(12_345_678),
            "medium",
            D(7_407_407),
            "undelivered",
            date(2019, 3, n),
            ("Red", "Amber", "Green")[n % 3],
        )
        for n in range(1, 7)
    )
    return Table("register", "Savings, management actions and risks", columns, rows)


def _money_grid() -> Table:
    """Sixteen columns of eight-digit money: too wide for A4 upright in any type size."""
    columns = (
        Column("line", "Service line", Kind.TEXT),
        *(Column(f"m{n}", f"Month {n}", Kind.PENCE) for n in range(1, 13)),
        Column("total", "Total", Kind.PENCE),
        Column("budget", "Budget", Kind.PENCE),
        Column("last", "Last column", Kind.TEXT),
    )
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (
            f"Line {n}",
            *(D(-12_345_678) - n - month for month in range(12)),
            D(-148_148_136),
            D(150_000_000),
            f"LAST{n}",
        )
        for n in range(3)
    )
    return Table("grid", "Spend by month", columns, rows)


def _wide_report() -> Report:
    section = SectionContent(
        "tables", "Wide tables", ("Two wide tables.",), (_register(), _money_grid())
    )
    return replace(REPORT, sections=(section,))


def _pdf_text(path: Path) -> str:
    """The text a reader sees: pdftotext leaves out what is clipped or off the page."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (Debian poppler-utils) is needed to read the PDF")
    found = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True)
    return re.sub(r"\s+", "", found.stdout.decode("utf-8"))


def _every_cell_shown(table: Table, text: str) -> list[str]:
    """The cells (as written) that the text does not show; whitespace is ignored, since cells wrap."""
    cells = [
        format_cell(row[n], column.kind)
        for row in table.rows
        for n, column in enumerate(table.columns)
    ]
    return [cell for cell in cells if re.sub(r"\s+", "", cell) not in text]


def test_a_wide_table_scrolls_within_itself_on_screen_and_is_laid_out_for_print() -> None:
    html = render_html(_wide_report(), svgs={})
    screen, _, printed = html.partition("@media print")
    assert ".table-wrap { overflow-x: auto;" in screen  # scrolls in its own box, not the page
    assert "overflow-wrap: break-word" in screen  # text wraps in its cell
    # A long path gets places to break, so that it cannot widen its column beyond the page.
    assert "(/<wbr>shared/<wbr>finance/<wbr>commissioning/<wbr>frameworks/<wbr>" in html
    assert ".table-wrap { overflow: visible;" in printed  # nothing clipped on paper
    assert table_layout(_register()) == "wide"
    assert table_layout(_money_grid()) == "landscape"
    assert '<div class="table-wrap wide">' in html
    assert '<div class="table-wrap landscape">' in html
    assert "@page landscape { size: A4 landscape; }" in html


def test_printing_the_html_shows_every_column_of_a_wide_table(tmp_path: Path) -> None:
    """As a browser prints the HTML file: WeasyPrint reads the same page for print media."""
    from weasyprint import HTML

    path = tmp_path / "printed.pdf"
    HTML(string=render_html(_wide_report(), svgs={})).write_pdf(path)
    text = _pdf_text(path)
    assert _every_cell_shown(_register(), text) == []
    assert _every_cell_shown(_money_grid(), text) == []


def test_the_pdf_shows_every_column_and_turns_a_table_too_wide_for_a4_sideways(
    tmp_path: Path,
) -> None:
    path, _pages = write_pdf(_wide_report(), tmp_path / "wide.pdf")
    text = _pdf_text(path)
    assert "RAG" in text
    assert _every_cell_shown(_register(), text) == []
    assert _every_cell_shown(_money_grid(), text) == []
    shapes = []
    for page in PdfReader(str(path)).pages:
        box = page.mediabox
        shapes.append("landscape" if box.width > box.height else "portrait")
    assert shapes[0] == "portrait"
    assert "landscape" in shapes
