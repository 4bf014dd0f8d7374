"""The committee report on the demo council: every format carries the stored snapshot's figures
(HTML, PDF and Word rounded to the pound as committee papers are, Excel to the penny), every
number in the narrative is in a table, and the public version discloses no small count.

The demo council is built once for the module (SQLite); its closes of April to September 2018
give the report a movement to explain, a fan chart and a track record.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.text.paragraph import Paragraph
from openpyxl import load_workbook
from pypdf import PdfReader

from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.domain.provenance import ForecastSnapshot
from carecast.errors import NotFound
from carecast.reports import narrative
from carecast.reports.disclosure import small_counts_shown
from carecast.reports.formatting import format_cell
from carecast.reports.model import Kind, Report, Suppressed
from carecast.services import build_demo
from carecast.services.commentary import set_commentary
from carecast.services.report import ReportOptions, ReportResult, build, make_report

SEPTEMBER = Period(2018, 9)
CHILD_ID = re.compile(r"\bDB\d{6}\b")  # the demo's synthetic child identifiers


@dataclass(frozen=True)
class Demo:
    settings: Settings
    snapshot: ForecastSnapshot
    internal: ReportResult
    public: ReportResult
    report: Report
    public_report: Report


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    folder = tmp_path_factory.mktemp("demo")
    settings = Settings(database_url=f"sqlite:///{folder / 'carecast.db'}")
    snapshot = build_demo(settings, folder).snapshot
    set_commentary(settings, {"summary": "Members asked for the residential detail."})
    options = ReportOptions(period=SEPTEMBER)
    internal = make_report(settings, options, folder / "internal")
    public_options = ReportOptions(
        period=SEPTEMBER, formats=("pdf", "xlsx"), public=True, backtest=False
    )
    public = make_report(settings, public_options, folder / "public")
    assert internal.report is not None
    assert public.report is not None
    return Demo(settings, snapshot, internal, public, internal.report, public.report)


def style(paragraph: Paragraph) -> str:
    return paragraph.style.name if paragraph.style is not None and paragraph.style.name else ""


def pounds(value: Decimal) -> str:
    """A figure of record as the committee formats show it: in whole pounds."""
    shown = format_cell(value, Kind.PENCE)
    assert re.fullmatch(r"−?£[\d,]+", shown), shown
    return shown


def key_figures(snapshot: ForecastSnapshot) -> dict[str, Decimal]:
    forecast = snapshot.forecast
    figures = {
        "budget": forecast.budget,
        "forecast": forecast.forecast_outturn,
        "variance": forecast.variance,
    }
    for line in forecast.lines:
        figures[line.service_line.heading] = line.forecast_outturn
    return figures


def test_all_four_formats_come_from_one_call(demo: Demo) -> None:
    assert set(demo.internal.files) == {"html", "pdf", "docx", "xlsx"}
    assert all(path.stat().st_size > 10_000 for path in demo.internal.files.values())
    assert demo.internal.snapshot_id == demo.snapshot.snapshot_id
    assert demo.internal.seconds["total"] < 120  # measured: well under 20 s on an idle machine


def test_the_pdf_shows_the_snapshot_to_the_pound_and_renders(demo: Demo, tmp_path: Path) -> None:
    path = demo.internal.files["pdf"]
    reader = PdfReader(str(path))
    assert len(reader.pages) == demo.internal.pages
    text = "\n".join(page.extract_text() for page in reader.pages)
    for name, value in key_figures(demo.snapshot).items():
        assert pounds(value) in text, name
    assert "Members asked for the residential detail." in text
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "p")], check=True)
    assert len(list(tmp_path.glob("p-*.png"))) == len(reader.pages)


def test_word_tables_show_the_snapshot_to_the_pound(demo: Demo) -> None:
    document = Document(str(demo.internal.files["docx"]))
    variance = next(
        t
        for t in document.tables
        if [c.text for c in t.rows[0].cells][:6]
        == [
            "Service line",
            "Budget",
            "Actual to date",
            "Committed to year end",
            "Demand allowance",
            "Forecast outturn",
        ]
    )
    shown = {row.cells[0].text: row.cells[5].text for row in variance.rows[1:]}
    for line in demo.snapshot.forecast.lines:
        assert shown[line.service_line.heading] == pounds(line.forecast_outturn)
    assert shown["Total"] == pounds(demo.snapshot.forecast.forecast_outturn)
    headings = [p.text for p in document.paragraphs if style(p) == "Heading 1"]
    assert headings[0] == "1. Summary"
    assert headings[-1].endswith("Methodology")


def test_excel_holds_the_snapshot_as_numbers_to_the_penny(demo: Demo) -> None:
    workbook = load_workbook(demo.internal.files["xlsx"])
    sheet = workbook["variance_by_line"]
    header = [c.value for c in sheet[4]]
    column = header.index("Forecast outturn")
    rows = {row[0].value: row[column] for row in sheet.iter_rows(min_row=5) if row[0].value}
    for line in demo.snapshot.forecast.lines:
        cell = rows[line.service_line.heading]
        assert isinstance(cell.value, float)
        assert Decimal(str(round(cell.value, 2))) == line.forecast_outturn
        assert cell.number_format.startswith("£")
    total = rows["Total"].value
    assert Decimal(str(round(total, 2))) == demo.snapshot.forecast.forecast_outturn
    shares = workbook["key_figures"]
    assert shares["C6"].number_format == "0.0%"  # the forecast as a share of the budget
    assert isinstance(shares["C6"].value, float)
    assert "placements_by_category" in workbook.sheetnames


def test_the_html_report_is_one_file_with_every_figure(demo: Demo) -> None:
    html = demo.internal.files["html"].read_text(encoding="utf-8")
    for name, value in key_figures(demo.snapshot).items():
        assert pounds(value) in html, name
    assert html.count("<svg") >= 8


def test_the_report_explains_the_movement_since_the_earlier_forecast(demo: Demo) -> None:
    movement = demo.report.section("movement")
    assert movement.paragraphs[0].startswith("The forecast ")
    assert "since August 2018 (period 5)" in movement.paragraphs[0]
    table = movement.tables[-1]
    before, after, moved = (table.cell("Total", key) for key in ("before", "after", "movement"))
    assert isinstance(before, Decimal)
    assert isinstance(after, Decimal)
    assert moved == after - before  # to the penny


MONEY = re.compile(r"£[\d,]+(?:\.\d)?[mk]?")
PERCENT = re.compile(r"\d+\.\d%")


def test_every_money_and_percentage_in_the_narrative_is_in_a_table(demo: Demo) -> None:
    cells = [
        cell
        for table in demo.report.tables()
        for row in table.rows
        for cell in row
        if isinstance(cell, Decimal)
    ]
    readings = {narrative.money(c) for c in cells} | {narrative.pounds(c) for c in cells}
    readings |= {narrative.percent(abs(c)) for c in cells}
    missing = [
        (part.key, token)
        for part in demo.report.sections
        for paragraph in part.paragraphs
        for token in MONEY.findall(paragraph) + PERCENT.findall(paragraph)
        if token not in readings
    ]
    assert missing == []


def test_the_public_version_withholds_small_counts_and_says_so(demo: Demo) -> None:
    assert small_counts_shown(demo.public_report.tables()) == []
    withheld = [
        cell
        for table in demo.public_report.tables()
        for row in table.rows
        for cell in row
        if isinstance(cell, Suppressed)
    ]
    assert withheld  # the demo has fewer than six children in secure and parent-and-child care
    text = "\n".join(p.extract_text() for p in PdfReader(str(demo.public.files["pdf"])).pages)
    assert "Public version." in text
    assert "No child-level rows" in text
    workbook = load_workbook(demo.public.files["xlsx"])
    for name in workbook.sheetnames:
        for row in workbook[name].iter_rows():
            for cell in row:
                assert not (isinstance(cell.value, str) and CHILD_ID.search(cell.value)), name
    assert not CHILD_ID.search(text)


def test_the_methodology_says_what_was_left_out(demo: Demo) -> None:
    methodology = " ".join(demo.public_report.section("methodology").paragraphs)
    assert "backtest: not requested for this report" in methodology
    assert "Counts of children from 1 to 5 are withheld" in methodology


def test_a_capability_that_cannot_answer_is_left_out_with_its_reason(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    def not_in_the_reference_data(_settings: Settings, **_options: object) -> None:
        raise NotFound("no council with code 999 is in the reference data")

    monkeypatch.setattr("carecast.services.benchmark.benchmark_council", not_in_the_reference_data)
    _context, report = build(demo.settings, ReportOptions(period=SEPTEMBER, backtest=False))
    methodology = " ".join(report.section("methodology").paragraphs)
    assert (
        "Left out — Benchmarking: no benchmark: no council with code 999 is in the reference data."
        in methodology
    )


def test_a_bug_in_a_capability_stops_the_report_instead_of_hiding_in_it(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_settings: Settings, **_options: object) -> None:
        raise KeyError("a mistake in carecast's code")

    monkeypatch.setattr("carecast.services.benchmark.benchmark_council", broken)
    with pytest.raises(KeyError, match="a mistake in carecast's code"):
        build(demo.settings, ReportOptions(period=SEPTEMBER, backtest=False))


PENCE = re.compile(r"£[\d,]+\.\d\d\b")


def test_committee_papers_show_no_pence(demo: Demo) -> None:
    html = demo.internal.files["html"].read_text(encoding="utf-8")
    pdf = "\n".join(p.extract_text() for p in PdfReader(str(demo.internal.files["pdf"])).pages)
    document = Document(str(demo.internal.files["docx"]))
    word = "\n".join(
        [p.text for p in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )
    for name, text in (("html", html), ("pdf", pdf), ("docx", word)):
        assert PENCE.findall(text) == [], name


def test_the_report_and_carecast_reconcile_count_the_same_over_commitments(demo: Demo) -> None:
    from carecast.services.movements import reconciliation

    _council, result = reconciliation(demo.settings, SEPTEMBER)
    table = demo.report.section("reconciliation").tables[0]
    assert result.over_commitments  # the demo has some, as councils do
    assert table.cell("Total", "unplaced") == len(result.over_commitments)
    assert table.cell("Total", "unpaid") == len(result.under_reported)


def test_the_benchmark_sets_like_years_side_by_side_or_says_they_differ(demo: Demo) -> None:
    section = demo.report.section("benchmark")
    # The September 2018 close is compared with 31 March 2019, the end of its financial year.
    assert section.paragraphs[0].startswith("On 31 March 2019 the published rate for Lewisham")
    spending = next(t for t in section.tables if t.key == "benchmark_spending")
    columns = (spending.column(key) for key in ("year", "council", "own"))
    rows = zip(*columns, strict=True)
    # The council's 2018-19 figures are in 2018-19 rows, beside no other year's published figure.
    assert {(year, published) for year, published, own in rows if own is not None} == {
        ("2018-19", None)
    }
    assert "2023-24" in spending.column("year")  # the nearest outturn MHCLG published
    notes = " ".join(section.notes)
    assert "The report is for 2018-19; where the published data carecast holds has no figures" in (
        notes
    )
    assert "spend per child (revenue outturn) (2023-24)" in notes
    measures = next(t for t in section.tables if t.key == "benchmark_measures")
    agency = measures.cell("Agency social workers (% of FTE)", "year")
    assert agency == "2018"  # DfE's census of 30 September 2018, the demo's own day


def test_the_track_record_follows_every_close_of_the_year(demo: Demo) -> None:
    track = demo.report.section("track_record").tables[0]
    assert track.column("period") == [f"2018-{m:02} (P{m - 3})" for m in range(4, 10)]
    assert track.cell("2018-09 (P6)", "forecast") == demo.snapshot.forecast.forecast_outturn
