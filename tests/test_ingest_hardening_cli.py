"""`carecast import` of hostile files: exit 1, the problem at its place, the store unchanged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from carecast.cli import run
from tests.storehelp import dump
from tests.test_ingest_hardening_xlsx import rewrite, workbook

HOSTILE: dict[str, Callable[[Path], Path]] = {
    "a workbook without workbook.xml": lambda folder: rewrite(
        workbook(folder / "centres.xlsx"), "xl/workbook.xml", None
    ),
    "a NUL inside a cell": lambda folder: _write(
        folder / "centres.csv", b"COST_CENTRE,SERVICE_LINE\r\nC\x00C1,placements_ifa\r\n"
    ),
    "XML of empty CHILD elements": lambda folder: _write(
        folder / "return.xml", b"<EXPSSDA903>" + b"<CHILD/>" * 1000 + b"</EXPSSDA903>"
    ),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_command_refuses_a_hostile_file_at_its_place_and_stores_nothing(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], hostile: str
) -> None:

    store = ["--database-url", database_url]
    assert run(["init", "--council", "T", "--la-code", "9", *store]) == 0
    before = dump(database_url)
    path = HOSTILE[hostile](tmp_path)
    assert run(["import", str(path), "--as-of", "2018-09-30", *store]) == 1
    assert dump(database_url) == before
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith(f"{path}:")
