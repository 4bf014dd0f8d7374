"""`carecast report` and `carecast commentary` through the real command line, on SQLite and
PostgreSQL, with the small hand-checked council of tests/fixtures_small.py."""

from __future__ import annotations

import struct
import zlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from carecast.cli import run
from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.reports.formatting import format_cell
from carecast.reports.model import Kind
from carecast.services import import_paths, latest_forecast, run_forecast
from tests.fixtures_small import write_small_council
from tests.test_cli import carecast


def tiny_png() -> bytes:
    """A 2×2 blue PNG, written by hand so that the test needs no imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x1d\x70\xb8" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def council(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The small council imported and forecast at 2018-09 (through the services, to be quick)."""
    import_paths(settings, [write_small_council(tmp_path / "extract")], date(2018, 9, 30))
    run_forecast(settings, Period(2018, 9))
    monkeypatch.chdir(tmp_path)
    return settings.database_url


def cli(capsys: pytest.CaptureFixture[str], database_url: str, *args: str) -> tuple[int, str, str]:
    """Run a command in this process (the subprocess path is covered once, below)."""
    code = run([*args, "--database-url", database_url])
    out, err = capsys.readouterr()
    return code, out, err


def test_report_writes_the_formats_asked_for_with_the_forecast_to_the_penny(
    council: str, settings: Settings, tmp_path: Path
) -> None:
    """Through a real process, as a finance officer runs it."""
    logo = tmp_path / "logo.png"
    logo.write_bytes(tiny_png())
    result = carecast(
        "report",
        "--period",
        "2018-09",
        "--format",
        "html,xlsx",
        "--out",
        "committee",
        "--logo",
        str(logo),
        "--no-benchmark",
        "--no-backtest",
        cwd=tmp_path,
        database_url=council,
    )
    assert result.returncode == 0, result.stderr
    assert "carecast-report-2018-09.html" in result.stdout
    forecast = latest_forecast(settings, Period(2018, 9)).forecast
    html = (tmp_path / "committee" / "carecast-report-2018-09.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html
    assert format_cell(forecast.forecast_outturn, Kind.PENCE) in html
    workbook = load_workbook(tmp_path / "committee" / "carecast-report-2018-09.xlsx")
    sheet = workbook["variance_by_line"]
    shown = {row[0].value: row[5].value for row in sheet.iter_rows(min_row=5) if row[5].value}
    assert len(forecast.lines) == 4
    for line in forecast.lines:
        value = shown[line.service_line.heading]
        assert Decimal(str(round(value, 2))) == line.forecast_outturn
    assert not (tmp_path / "committee" / "carecast-report-2018-09.pdf").exists()


def test_the_public_report_withholds_the_small_council_s_children(
    council: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = cli(
        capsys,
        council,
        "report",
        "--format",
        "xlsx",
        "--out",
        "public",
        "--public",
        "--no-benchmark",
        "--no-backtest",
    )
    assert code == 0, err
    workbook = load_workbook(tmp_path / "public" / "carecast-report-2018-09-public.xlsx")
    sheet = workbook["placements_by_category"]
    rows = list(sheet.iter_rows(min_row=5, max_row=5 + 10))
    children = {row[0].value: row[1].value for row in rows}
    # One child in IFA and one in residential care: both counts, and the total of 2, are withheld.
    assert children["Independent fostering agencies"] == "x"
    assert children["Residential care"] == "x"
    assert children["Total"] == "x"
    assert children["In-house fostering"] == 0  # a true zero is shown, as the DfE does


def test_commentary_is_kept_with_the_snapshot_and_carried_forward(
    council: str, settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = cli(
        capsys,
        council,
        "commentary",
        "--section",
        "summary",
        "--text",
        "Residential costs are under review.",
    )
    assert code == 0, err
    assert "Commentary on 'summary' stored for snapshot 1." in out
    notes = tmp_path / "notes.md"
    notes.write_text("## Staffing\nAgency cover ends in December.\n\nA second paragraph.\n")
    code, _, err = cli(capsys, council, "commentary", "--file", str(notes))
    assert code == 0, err
    run_forecast(settings, Period(2018, 9))  # a new snapshot of the same period
    code, out, err = cli(capsys, council, "commentary", "--period", "2018-09")
    assert code == 0, err
    assert "Commentary for snapshot 2" in out
    assert "Residential costs are under review." in out
    assert "snapshot 1" in out  # written for the earlier snapshot of the period
    code, template, _ = cli(capsys, council, "commentary", "--template")
    assert "## summary\nResidential costs are under review.\n" in template
    assert "## staffing\nAgency cover ends in December.\n\nA second paragraph.\n" in template
    code, _, err = cli(
        capsys,
        council,
        "report",
        "--format",
        "html",
        "--out",
        "o",
        "--no-benchmark",
        "--no-backtest",
    )
    assert code == 0, err
    html = (tmp_path / "o" / "carecast-report-2018-09.html").read_text(encoding="utf-8")
    assert "Agency cover ends in December." in html
    assert "Written for snapshot 1" in html


def test_bad_requests_say_what_is_wrong(
    council: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = cli(capsys, council, "report", "--format", "html,odt")
    assert code == 2
    assert "choose from html,pdf,docx,xlsx" in err
    code, _, err = cli(capsys, council, "report", "--period", "2018-06", "--format", "html")
    assert code == 1
    assert "no forecast has been stored for period 2018-06" in err
    code, _, err = cli(capsys, council, "commentary", "--section", "gossip", "--text", "x")
    assert code == 2
    assert "'gossip' is not a report section" in err
    notes = tmp_path / "bad.md"
    notes.write_text("Before any heading\n## gossip\ntext\n")
    code, _, err = cli(capsys, council, "commentary", "--file", str(notes))
    assert code == 1
    assert "bad.md:1:: commentary-before-heading:" in err
    assert "bad.md:2:: commentary-unknown-section:" in err
    code, _, err = cli(capsys, council, "report", "--logo", "logo.gif")
    assert code == 2
    assert "must be a PNG or JPEG" in err
