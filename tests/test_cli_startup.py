"""Help answers without loading the engines (issue 9).

`carecast --help` and every subcommand's `--help` build the whole command tree; if a command
module imported numpy, polars, SQLAlchemy or a report writer at the top, every help would wait
seconds for it. These tests check what help loads, not how long it takes (bench/startup.py times
it): a fresh interpreter shows every help and lists the heavy modules each one brought in.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
import typer.main
from typer.testing import CliRunner

from carecast.cli import app, report_choices

HEAVY = (
    # Libraries of the engines, the store, the reports and the web application.
    *("numpy", "polars", "sqlalchemy", "alembic", "scipy", "pandas", "statsmodels"),
    *("weasyprint", "openpyxl", "xlsxwriter", "fastapi", "uvicorn", "docx", "altair"),
    "vl_convert",
    # The Dask executor's, loaded only when `--executor dask` is chosen.
    *("dask", "distributed"),
    # The projection's compiled walk (about 0.2 s to import), loaded only when paths are drawn.
    *("numba", "llvmlite"),
    # carecast's own layers below the command line: each imports some of the above.
    *("carecast.services", "carecast.store", "carecast.forecast", "carecast.projection"),
    *("carecast.reports", "carecast.ingest", "carecast.web"),
)

# Run in a fresh interpreter: this test process has imported everything already. An import hook
# notes, for each heavy package, who first imported it: the carecast.cli module whose top-level
# import brought it in, else the help that needed it.
SHOW_EVERY_HELP = textwrap.dedent(
    """
    import json, sys
    import typer.core, typer.main
    from typer.testing import CliRunner

    heavy = tuple(sys.argv[1:])
    blamed = {}
    showing = ["importing carecast.cli"]

    class Blame:
        def find_spec(self, name, path=None, target=None):
            package = next((h for h in heavy if name == h or name.startswith(h + ".")), None)
            if package is not None and package not in blamed:
                frame = sys._getframe(1)
                while frame is not None:
                    module = frame.f_globals.get("__name__", "")
                    if module.startswith("carecast.cli."):
                        break
                    frame = frame.f_back
                blamed[package] = module if frame is not None else showing[0]
            return None

    sys.meta_path.insert(0, Blame())
    from carecast.cli import app

    def lines(command, words=()):
        yield words
        if isinstance(command, typer.core.TyperGroup):
            for name in command.list_commands(None):
                yield from lines(command.commands[name], (*words, name))

    exits = {}
    for words in lines(typer.main.get_group(app)):
        showing[0] = " ".join(("carecast", *words, "--help"))
        exits[showing[0]] = CliRunner().invoke(app, [*words, "--help"]).exit_code
    print(json.dumps({"exits": exits, "blamed": blamed}))
    """
)


def test_help_of_every_command_loads_no_engine_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SHOW_EVERY_HELP, *HEAVY],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    shown = json.loads(done.stdout)
    helps = set(shown["exits"])
    assert {"carecast --help", "carecast user add --help", "carecast report --help"} <= helps
    assert {words: code for words, code in shown["exits"].items() if code != 0} == {}
    loaded = [f"{package} (by {who})" for package, who in sorted(shown["blamed"].items())]
    assert loaded == [], "help loaded " + ", ".join(loaded)


GROUP = typer.main.get_group(app)
LISTED = GROUP.list_commands(typer.Context(GROUP))


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in LISTED:
        assert f" {name} " in result.output, f"{name} is missing from carecast --help"


@pytest.mark.parametrize("name", LISTED)
def test_every_listed_command_shows_its_help(name: str) -> None:
    result = CliRunner().invoke(app, [name, "--help"], prog_name="carecast")
    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.split())
    assert f"Usage: carecast {name} " in shown
    help_text = GROUP.commands[name].help
    assert help_text is not None
    assert " ".join(help_text.split()[:6]) in shown


def test_the_report_choices_copied_for_help_match_their_originals() -> None:
    from carecast.reports.context import DEFAULT_CASELOAD_TARGET
    from carecast.reports.sections import SECTION_TITLES
    from carecast.services.report import FORMATS

    where = "carecast/cli/report_choices.py must follow"
    assert report_choices.FORMATS == FORMATS, f"{where} services.report.FORMATS"
    assert report_choices.DEFAULT_CASELOAD_TARGET == DEFAULT_CASELOAD_TARGET, (
        f"{where} reports.context.DEFAULT_CASELOAD_TARGET"
    )
    assert tuple(SECTION_TITLES) == report_choices.SECTION_KEYS, (
        f"{where} reports.sections.SECTION_TITLES"
    )


def test_the_backtest_table_scores_the_horizons_the_backtest_does() -> None:
    from carecast.cli.project_backtest import HORIZONS as SHOWN
    from carecast.projection.backtest import HORIZONS

    assert SHOWN == HORIZONS
