"""The demo council: generated files, imported through the user's own import path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from carecast.config import Settings
from carecast.demo import generate_demo_files
from carecast.domain.periods import Period
from carecast.domain.provenance import Council, ForecastSnapshot
from carecast.errors import InvalidInput, Issue
from carecast.services.forecasting import run_forecast
from carecast.services.imports import import_paths
from carecast.services.progress import Progress, quiet
from carecast.store.councils import council_name, create_council, delete_council
from carecast.store.engine import make_engine, migrate


@dataclass(frozen=True)
class DemoResult:
    council: Council
    files_imported: int
    snapshot: ForecastSnapshot  # the current period's close
    summary_path: Path
    report_files: dict[str, Path]
    closes: tuple[ForecastSnapshot, ...] = ()  # every close of the year to date, in order


def closes_to_date(current: Period) -> list[Period]:
    """The periods of `current`'s financial year up to and including it: P1 … current."""
    return [p for p in current.financial_year.periods() if p <= current]


def build_demo(settings: Settings, workdir: Path, progress: Progress = quiet) -> DemoResult:
    """Build the fictional demo council from generated files, through the same import path users
    use, then run every monthly close of the current year to date, each as known at its own
    close (as `carecast forecast --period` runs it), so that movements, the fan chart and the
    track record have a year to show; write out/summary.html and the committee report. Running
    it again rebuilds it."""
    from carecast.reports.summary import write_summary
    from carecast.services.report import ReportOptions, make_report

    manifest = generate_demo_files(
        workdir / "demo", on_progress=lambda label: progress(label, 0, 0)
    )
    engine = make_engine(settings.database_url)
    migrate(engine)
    with engine.begin() as connection:
        existing = council_name(connection, manifest.la_code)
        if existing is not None and existing != manifest.council_name:
            raise InvalidInput(
                [
                    Issue(
                        settings.database_url,
                        None,
                        None,
                        "demo-would-overwrite",
                        f"the store already holds council {manifest.la_code} ('{existing}'), which "
                        "is not the demo; run the demo in an empty folder or with another "
                        "--database-url",
                    )
                ]
            )
        delete_council(connection, manifest.la_code)
        council = create_council(connection, manifest.council_name, manifest.la_code)
    engine.dispose()
    files = 0
    for done, step in enumerate(manifest.steps, start=1):
        outcome, _warnings = import_paths(settings, list(step.paths), step.as_of)
        files += len(outcome.stored)
        progress(f"Importing {step.label}", done, len(manifest.steps))
    period = Period.parse(manifest.current_period)
    periods = closes_to_date(period)
    closes = []
    for done, close in enumerate(periods, start=1):
        progress(f"Closing {close} (period {close.number})", done, len(periods))
        closes.append(run_forecast(settings, close))
    snapshot = closes[-1]
    summary_path = write_summary(snapshot, workdir / "out" / "summary.html")
    report = make_report(settings, ReportOptions(period=period), workdir / "out", progress)
    return DemoResult(council, files, snapshot, summary_path, report.files, tuple(closes))
