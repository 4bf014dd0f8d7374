"""Every problem, warning and error message is printed exactly as found, on one line.

Rich reads `:100:` as an emoji code and `[bold]` as markup; a quoted cell or a parser message may
hold line breaks and terminal control characters. None of them may change what the terminal (or
`--errors-out`) shows: a problem is one line, `FILE:ROW:COLUMN: RULE: message`, with its text as
the file holds it, line breaks and control characters written as escapes (`\\n`, `\\x1b`).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from carecast.cli import run
from carecast.errors import Issue, Severity, one_line
from tests.fixtures_small import write_small_council

Captured = pytest.CaptureFixture[str]
LEDGER = "PERIOD,COST_CENTRE,ACCOUNT,AMOUNT\n"
GOOD_ROWS = "".join("2018-09,SW1,1000,5\n" for _ in range(98))  # rows 2 to 99


@pytest.fixture
def store(tmp_path: Path) -> list[str]:
    url = f"sqlite:///{tmp_path / 'carecast.db'}"
    assert run(["init", "--council", "T", "--la-code", "9", "--database-url", url]) == 0
    return ["--database-url", url]


def test_a_problem_on_row_100_keeps_its_row_and_column(
    store: list[str], tmp_path: Path, capsys: Captured
) -> None:
    ledger = tmp_path / "gl.csv"
    ledger.write_text(LEDGER + GOOD_ROWS + "2018-09,SW1,1000,12o0\n", encoding="utf-8")
    assert run(["import", str(ledger), "--as-of", "2018-09-30", *store]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{ledger}:100:AMOUNT: bad-number: '12o0'")


def test_a_warning_on_row_100_keeps_its_row_and_column(
    store: list[str], tmp_path: Path, capsys: Captured
) -> None:
    folder = write_small_council(tmp_path / "in")
    ledger = folder / "gl_actuals.csv"
    ledger.write_text(LEDGER + GOOD_ROWS + "2018-09,NOWHERE,1,5\n", encoding="utf-8")
    assert run(["import", str(folder), "--as-of", "2018-09-30", *store]) == 0
    out = capsys.readouterr().out
    assert f"{ledger}:100:COST_CENTRE: cost-centre-unmapped: cost centre NOWHERE" in out
    assert run(["imports", "warnings", *store]) == 0
    assert f"{ledger}:100:COST_CENTRE: cost-centre-unmapped" in capsys.readouterr().out


def test_markup_and_emoji_codes_in_a_cell_are_printed_as_written(
    store: list[str], tmp_path: Path, capsys: Captured
) -> None:
    ledger = tmp_path / "[red]gl:1:.csv"
    ledger.write_text(LEDGER + "2018-09,SW1,1000,[bold]12o0:smile:[/bold]\n", encoding="utf-8")
    assert run(["import", str(ledger), "--as-of", "2018-09-30", *store]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        f"{ledger}:2:AMOUNT: bad-number: '[bold]12o0:smile:[/bold]' is not an amount in pounds; "
        "write it like 1234.56 or £1,234.56"
    )


def test_a_cell_with_line_breaks_is_one_problem_on_one_line_here_and_in_errors_out(
    store: list[str], tmp_path: Path, capsys: Captured
) -> None:
    ledger = tmp_path / "gl.csv"
    ledger.write_text(LEDGER + '2018-09,SW1,1000,"12\r\no\n\x1b[2J"\n', encoding="utf-8")
    out = tmp_path / "problems.csv"
    assert (
        run(["import", str(ledger), "--as-of", "2018-09-30", "--errors-out", str(out), *store]) == 1
    )
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert err[0].startswith(f"{ledger}:2:AMOUNT: bad-number: '12\\no\\n\\x1b[2J' is not")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["severity"] == "error")
    assert row["message"].startswith("'12\\no\\n\\x1b[2J' is not")


def test_an_error_message_with_a_line_break_is_printed_on_one_line(
    store: list[str], tmp_path: Path, capsys: Captured
) -> None:
    ledger = tmp_path / "gl.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    assert run(["import", str(ledger), "--as-of", "2018-09\n:100: [b]30[/b]", *store]) == 2
    assert capsys.readouterr().err == (
        "--as-of '2018-09\\n:100: [b]30[/b]' is not a date; write it as YYYY-MM-DD\n"
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain £1,234.56 – ünïcode", "plain £1,234.56 – ünïcode"),
        ("a\r\nb\nc\rd", "a\\nb\\nc\\rd"),
        ("tab\there", "tab\\there"),
        ("\x1b[31mred\x07", "\\x1b[31mred\\x07"),
        ("bidi \u202eevil", "bidi \\u202eevil"),
        ("line\u2028separator", "line\\u2028separator"),
        ("back\\slash", "back\\slash"),
    ],
)
def test_one_line_writes_breaks_and_control_characters_as_escapes(text: str, shown: str) -> None:
    assert one_line(text) == shown
    assert one_line(shown) == shown


def test_an_issue_formats_on_one_line_whatever_its_parts_hold() -> None:
    issue = Issue("in\nput.csv", 7, "AMO\tUNT", "bad-number", "'1\n2' is not", Severity.WARNING)
    assert issue.format() == "in\\nput.csv:7:AMO\\tUNT: bad-number: '1\\n2' is not"
    assert issue.fields() == (
        "in\\nput.csv",
        7,
        "AMO\\tUNT",
        "bad-number",
        "warning",
        "'1\\n2' is not",
    )
