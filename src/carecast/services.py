"""Use cases shared by the command line and (later) the web application.

Each opens the store through `make_engine`, does its work in one transaction, and returns domain
objects; none prints or exits. Errors are CarecastError subclasses, turned into exit codes by cli.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.domain.provenance import Council, ForecastSnapshot, ImportBatch
from carecast.errors import InvalidInput, Issue, NotFound, Severity
from carecast.forecast.outturn import forecast_outturn
from carecast.ingest.loader import ParsedFile, expand_paths, parse_file
from carecast.store.councils import create_council, find_council
from carecast.store.engine import check_ready, make_engine, migrate
from carecast.store.imports import ImportOutcome, list_batches, save_files
from carecast.store.snapshots import latest_snapshot_id, load_snapshot, save_snapshot
from carecast.store.state import latest_ledger_period, load_state

# label, done, total — how long work reports its progress without knowing who is watching.
Progress = Callable[[str, int, int], None]
FORECAST_METHOD = "actuals+commitments v1"
# A monthly close runs in the days after month end: what was imported with an as-of date up to
# this many days after the period ended counts as known at that period's close.
CLOSE_WINDOW_DAYS = 15


def _quiet(_label: str, _done: int, _total: int) -> None:
    return None


def init_store(settings: Settings, name: str, la_code: str) -> Council:
    """Create or upgrade the store's schema and add the council."""
    engine = make_engine(settings.database_url)
    migrate(engine)
    with engine.begin() as connection:
        return create_council(connection, name, la_code)


def parse_inputs(
    paths: list[Path], progress: Progress = _quiet
) -> tuple[list[ParsedFile], list[Issue]]:
    """Read and validate every file; nothing touches the store."""
    files, issues = expand_paths(paths)
    parsed: list[ParsedFile] = []
    for done, path in enumerate(files, start=1):
        result, found = parse_file(path)
        issues.extend(found)
        if result is not None:
            parsed.append(result)
        progress(f"Validating {path.name}", done, len(files))
    return parsed, issues


def import_paths(
    settings: Settings, paths: list[Path], as_of: date, progress: Progress = _quiet
) -> tuple[ImportOutcome, list[Issue]]:
    """Import files and folders as known on `as_of`: every file or none of them.

    Raises InvalidInput (nothing stored) when any file has an error; returns warnings otherwise.
    """
    engine = make_engine(settings.database_url)
    check_ready(engine)
    parsed, issues = parse_inputs(paths, progress)
    if any(i.severity is Severity.ERROR for i in issues):
        raise InvalidInput(issues)
    with engine.begin() as connection:
        council = find_council(connection)
        outcome = save_files(connection, council, parsed, as_of)
    return outcome, [i for i in issues if i.severity is Severity.WARNING]


def list_imports(settings: Settings) -> tuple[Council, list[ImportBatch]]:
    engine = make_engine(settings.database_url)
    check_ready(engine)
    with engine.connect() as connection:
        council = find_council(connection)
        return council, list_batches(connection, council)


def run_forecast(
    settings: Settings, period: Period | None = None, known_on: date | None = None
) -> ForecastSnapshot:
    """Forecast the year's outturn at the end of `period` (default: latest with ledger data)."""
    engine = make_engine(settings.database_url)
    check_ready(engine)
    with engine.begin() as connection:
        council = find_council(connection)
        if period is None:
            period = latest_ledger_period(connection, council)
            if period is None:
                raise NotFound("no ledger actuals have been imported yet; import gl_actuals first")
        known_on = known_on or period.last_day + timedelta(days=CLOSE_WINDOW_DAYS)
        state = load_state(connection, council, known_on)
        if not state.ledger and not state.commitments and not state.posts:
            raise NotFound(
                f"nothing was known by {known_on:%d %B %Y} for period {period}: import that "
                "period's extracts with an --as-of date on or before it"
            )
        forecast = forecast_outturn(state, period)
        snapshot_id = save_snapshot(connection, council, forecast, FORECAST_METHOD)
        return load_snapshot(connection, council, snapshot_id)


def latest_forecast(settings: Settings, period: Period | None = None) -> ForecastSnapshot:
    engine = make_engine(settings.database_url)
    check_ready(engine)
    with engine.connect() as connection:
        council = find_council(connection)
        return load_snapshot(connection, council, latest_snapshot_id(connection, council, period))


@dataclass(frozen=True)
class DemoResult:
    council: Council
    files_imported: int
    snapshot: ForecastSnapshot
    summary_path: Path


def build_demo(settings: Settings, workdir: Path, progress: Progress = _quiet) -> DemoResult:
    """Build the fictional demo council from generated files, through the same import path users
    use, then run the monthly close and write out/summary.html. Running it again rebuilds it."""
    from carecast.demo import generate_demo_files
    from carecast.reports.summary import write_summary
    from carecast.store.councils import council_name, delete_council

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
                        "is not the demo; run the demo in an empty folder or with another --database-url",
                    )
                ]
            )
        delete_council(connection, manifest.la_code)
        council = create_council(connection, manifest.council_name, manifest.la_code)
    files = 0
    for done, step in enumerate(manifest.steps, start=1):
        outcome, _warnings = import_paths(settings, list(step.paths), step.as_of)
        files += len(outcome.stored)
        progress(f"Importing {step.label}", done, len(manifest.steps))
    snapshot = run_forecast(settings, Period.parse(manifest.current_period))
    summary_path = write_summary(snapshot, workdir / "out" / "summary.html")
    return DemoResult(council, files, snapshot, summary_path)
