"""`carecast project --backtest`: the replays' table and JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from carecast.cli.app import console
from carecast.errors import UsageError

if TYPE_CHECKING:
    from rich.table import Table

    from carecast.projection.backtest import Replay
    from carecast.services.projection_backtest import ProjectionBacktest


HORIZONS = (12, 24, 36)  # as projection/backtest.py scores them (a test keeps the two alike)


def parse_years(text: str | None) -> list[int] | None:
    """`2016,2017` → [2016, 2017]; a word that is not a year is refused, naming it."""
    if text is None:
        return None
    years = []
    for part in text.split(","):
        word = part.strip()
        if not (word.isdigit() and len(word) == 4):
            raise UsageError(
                f"--from-years {text}: {word!r} is not a year; give years such as 2016,2017 "
                "(31 March of each is replayed)"
            )
        years.append(int(word))
    return years


def _cell(replay: Replay, months: int) -> str:
    error = replay.error(months)
    if error is None:
        return "–"
    p50, seen = replay.p50[months - 1, -1], int(replay.observed_total[months - 1])
    mark = "held" if replay.held(months) else "missed"
    return f"{p50:,.0f} vs {seen:,} ({error:+.1%}, {mark})"


def cost_table(result: ProjectionBacktest) -> Table:
    from rich.table import Table

    table = Table(
        title="Placements' cost, projected (P50) vs the ledger's spend on the placement lines, £m",
        caption="Each whole financial year after the replay's 31 March, priced from the "
        "commitments begun and the ledger posted by then; 'held': inside the P10–P90 band.",
    )
    for heading in ("From", "Year", "Months ahead", "Projected (P10–P90)", "Ledger", "Error"):
        table.add_column(heading, justify="right" if heading != "From" else "left")
    for costed in result.costs:
        for year in costed.years:
            table.add_row(
                f"{costed.start:%d %b %Y}",
                year.financial_year,
                str(year.months_ahead),
                f"{year.p50 / 1e6:,.2f} ({year.p10 / 1e6:,.2f}–{year.p90 / 1e6:,.2f})",
                f"{year.actual / 1e6:,.2f}",
                "–"
                if year.error is None
                else f"{year.error:+.1%}, {'held' if year.held else 'missed'}",
            )
    return table


def show_backtest(result: ProjectionBacktest, *, json_output: bool) -> None:
    if json_output:
        from carecast.documents.projection_backtest import projection_backtest_json

        typer.echo(json.dumps(projection_backtest_json(result), indent=2))
        return
    from rich.table import Table

    from carecast.projection.backtest import summarise

    table = Table(
        title=f"{result.council.name}: children looked after, projected (P50) vs what happened",
        caption="Each replay knew only the episodes begun by its 31 March; 'held': the P10–P90 "
        "band as fitted held the outcome.",
    )
    table.add_column("From")
    for months in HORIZONS:
        table.add_column(f"{months} months", justify="right")
    for replay in result.replays:
        table.add_row(
            f"{replay.start:%d %b %Y} ({replay.start_children:,})",
            *(_cell(replay, m) for m in HORIZONS),
        )
    for label, replays in (("as fitted", result.replays), ("calibrated", result.calibrated)):
        summaries = [summarise(replays, m) for m in HORIZONS]
        table.add_row(
            f"Median |error|, band held ({label})",
            *(
                "–"
                if s.median_abs_error is None
                else f"{s.median_abs_error:.1%}, {s.held} of {s.replays}"
                for s in summaries
            ),
        )
    out = console()
    out.print(table)
    if any(c.years for c in result.costs):
        out.print(cost_table(result))
    for costed in result.costs:
        if costed.skipped:
            out.print(f"Costs from {costed.start:%d %b %Y}: {costed.skipped}", markup=False)
    calibration = result.calibration
    out.print(
        f"Band calibration from {len(calibration.residuals)} replay residual(s): the misses are "
        f"{calibration.raw:.2f}× the bands' spread; a projection today scales its parameter "
        f"uncertainty by {calibration.factor:.2f}.",
        markup=False,
    )
