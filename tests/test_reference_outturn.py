"""Recognising MHCLG's revenue outturn workbooks: a file that is not one says no; a bug says so."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from carecast.reference import outturn
from carecast.reference.library import DATA


def workbook(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    book.close()
    return path


def test_the_shipped_workbooks_are_revenue_outturn() -> None:
    assert outturn.is_revenue_outturn(DATA / "RO3_2023-24_data_by_LA.ods")


def test_a_file_that_is_not_a_workbook_is_not_revenue_outturn(tmp_path: Path) -> None:
    text = tmp_path / "notes.ods"
    text.write_text("not a spreadsheet", encoding="utf-8")
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(b"PK\x03\x04 and then nothing a zip reader can use")
    assert not outturn.is_revenue_outturn(text)
    assert not outturn.is_revenue_outturn(damaged)


def test_a_workbook_without_the_ro3_codes_is_not_revenue_outturn(tmp_path: Path) -> None:
    # An empty sheet named like RO3's, and one with a table of other figures.
    path = workbook(tmp_path / "other.xlsx", {"RO3 notes": [], "RO3": [["E-code", "ONS code"]]})
    assert not outturn.is_revenue_outturn(path)


def test_a_bug_while_reading_a_workbook_is_raised_not_taken_for_no(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workbook(tmp_path / "ro3.xlsx", {"RO3": [["E-code", "ONS code"]]})

    def broken(_path: Path, _sheet: str) -> list[tuple[object, ...]]:
        raise TypeError("a mistake in carecast's code")

    monkeypatch.setattr(outturn, "_rows", broken)
    with pytest.raises(TypeError, match="a mistake in carecast's code"):
        outturn.is_revenue_outturn(path)
