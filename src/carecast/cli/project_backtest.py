"""`carecast project --backtest`: the replays' table and JSON."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from carecast.cli.app import console
from carecast.errors import UsageError
from carecast.projection.backtest import HORIZONS, Replay, summarise
from carecast.services.projection_backtest import ProjectionBacktest


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


def backtest_json(result: ProjectionBacktest) -> dict[str, Any]:
    return {
        "council": result.council.name,
        "data_until": result.data_until.isoformat(),
        "horizons": {
            str(m): {
                "as_fitted": summarise(result.replays, m).as_json(),
                "calibrated": summarise(result.calibrated, m).as_json(),
            }
            for m in HORIZONS
        },
        "calibration": result.calibration.as_json(),
        "replays": [r.as_json() for r in result.replays],
        "calibrated_replays": [r.as_json() for r in result.calibrated],
    }


def _cell(replay: Replay, months: int) -> str:
    error = replay.error(months)
    if error is None:
        return "–"
    p50, seen = replay.p50[months - 1, -1], int(replay.observed_total[months - 1])
    mark = "held" if replay.held(months) else "missed"
    return f"{p50:,.0f} vs {seen:,} ({error:+.1%}, {mark})"


def show_backtest(result: ProjectionBacktest, *, json_output: bool) -> None:
    if json_output:
        typer.echo(json.dumps(backtest_json(result), indent=2))
        return
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
    calibration = result.calibration
    out.print(
        f"Band calibration from {len(calibration.residuals)} replay residual(s): the misses are "
        f"{calibration.raw:.2f}× the bands' spread; a projection today scales its parameter "
        f"uncertainty by {calibration.factor:.2f}.",
        markup=False,
    )
