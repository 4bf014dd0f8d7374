"""The committee monitoring report: gather a snapshot and what surrounds it, build the sections,
write HTML, PDF, Word and Excel."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa

from carecast.config import Settings
from carecast.domain.periods import FinancialYear, Period
from carecast.domain.provenance import Council, ForecastSnapshot
from carecast.domain.state import ActivityState
from carecast.errors import NotFound, UsageError
from carecast.forecast.actuals import actuals_to_date
from carecast.reports.context import DEFAULT_CASELOAD_TARGET, ReportContext, WarningSummary
from carecast.reports.model import Commentary, Omitted, Report
from carecast.services import report_sources
from carecast.services.progress import Progress, quiet
from carecast.services.setup import council_transaction
from carecast.store.commentary import commentary_for
from carecast.store.imports import list_batches
from carecast.store.reporting import warning_counts, year_snapshot_ids
from carecast.store.snapshots import latest_snapshot_id, load_snapshot
from carecast.store.state import load_state

FORMATS = ("html", "pdf", "docx", "xlsx")
LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
T = TypeVar("T")


@dataclass(frozen=True)
class ReportOptions:
    """What to report and how. `compare_with` picks the earlier forecast for the movement
    (default: the latest earlier period of the same year that has one)."""

    period: Period | None = None
    formats: tuple[str, ...] = FORMATS
    public: bool = False
    logo: Path | None = None
    caseload_target: int = DEFAULT_CASELOAD_TARGET
    compare_with: Period | None = None
    backtest: bool = True
    benchmark: bool = True
    mtfp: bool = True


@dataclass(frozen=True)
class ReportResult:
    council: Council
    snapshot_id: int
    period: Period
    files: dict[str, Path]
    seconds: dict[str, float]
    omitted: tuple[Omitted, ...]
    pages: int | None = None
    unavailable: dict[str, str] = field(default_factory=dict)
    report: Report | None = None  # the content every file was written from


def parse_formats(text: str) -> tuple[str, ...]:
    """`html,pdf` → ("html", "pdf"); unknown formats are a usage error."""
    wanted = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise UsageError(
            f"--format '{text}' is not a list of formats; choose from {','.join(FORMATS)}"
        )
    return wanted


def read_logo(path: Path | None) -> tuple[bytes | None, str]:
    if path is None:
        return None, "image/png"
    kind = LOGO_TYPES.get(path.suffix.lower())
    if kind is None:
        raise UsageError(f"--logo '{path}' must be a PNG or JPEG file")
    if not path.is_file():
        raise UsageError(f"--logo '{path}' does not exist")
    return path.read_bytes(), kind


def _snapshots(
    connection: sa.Connection, council: Council, year: FinancialYear, before: Period | None
) -> tuple[ForecastSnapshot, ...]:
    """The latest forecast of each period of `year` before `before` (all periods when None)."""
    ids = year_snapshot_ids(connection, council, year, None if before is None else before.label)
    return tuple(load_snapshot(connection, council, snapshot_id) for snapshot_id in ids)


def _year_outturn(state: ActivityState, year: FinancialYear) -> Decimal | None:
    """A finished year's outturn from the ledger, when all twelve periods are there."""
    periods = {entry.period for entry in state.ledger if entry.period.financial_year == year}
    if len(periods) < 12:
        return None
    actuals = actuals_to_date(state.ledger, state.cost_centres, Period.of(year, 12))
    return sum(actuals.by_line.values(), Decimal(0)) + sum(actuals.unmapped.values(), Decimal(0))


def _previous(
    connection: sa.Connection,
    council: Council,
    options: ReportOptions,
    year_snapshots: tuple[ForecastSnapshot, ...],
    current: ForecastSnapshot,
) -> ForecastSnapshot | None:
    if options.compare_with is not None:
        if options.compare_with >= current.forecast.period:
            raise UsageError("--compare-with must be a period before the one reported")
        snapshot_id = latest_snapshot_id(connection, council, options.compare_with)
        return load_snapshot(connection, council, snapshot_id)
    earlier = [s for s in year_snapshots if s.forecast.period < current.forecast.period]
    return earlier[-1] if earlier else None


def load_context(settings: Settings, options: ReportOptions, today: date) -> ReportContext:
    """Everything the sections read, from the store and the optional capabilities."""
    with council_transaction(settings) as (connection, council):
        snapshot = load_snapshot(
            connection, council, latest_snapshot_id(connection, council, options.period)
        )
        period = snapshot.forecast.period
        year = period.financial_year
        year_snapshots = (*_snapshots(connection, council, year, period), snapshot)
        prior = _snapshots(connection, council, year.previous(), None)
        previous = _previous(connection, council, options, year_snapshots, snapshot)
        state = load_state(connection, council, snapshot.forecast.knowledge_date)
        batches = tuple(list_batches(connection, council))
        warnings = tuple(
            WarningSummary(
                w.rule,
                w.count,
                w.datasets,
                f"{w.first_file}:{w.first_row or ''}:{w.first_column or ''}: {w.rule}: {w.first_message}",
            )
            for w in warning_counts(connection, council, snapshot.forecast.knowledge_date)
        )
        commentary = {
            key: Commentary(key, c.text, c.snapshot_id, f"{c.written_at:%d %B %Y %H:%M}")
            for key, c in commentary_for(connection, council, snapshot.snapshot_id).items()
            if c.text
        }
    unavailable: dict[str, str] = {}

    def optional(
        name: str, wanted: bool, fetch: Callable[[], tuple[T | None, str | None]]
    ) -> T | None:
        """A capability's view, or None with the reason the report will give. Each source turns
        the errors it expects (a year not finished, a code not in the reference data) into that
        reason; anything else is a bug and is raised."""
        if not wanted:
            unavailable[name] = "not requested for this report"
            return None
        view, reason = fetch()
        if reason is not None:
            unavailable[name] = reason
        return view

    movement = None
    if previous is not None:
        earlier = previous
        movement = optional(
            "movement", True, lambda: report_sources.movement_view(earlier, snapshot)
        )
    backtest = optional(
        "backtest",
        options.backtest,
        lambda: report_sources.backtest_view(settings, year.previous()),
    )
    benchmark = optional(
        "benchmark", options.benchmark, lambda: report_sources.benchmark_view(settings, period)
    )
    mtfp = optional("mtfp", options.mtfp, lambda: report_sources.mtfp_view(settings, period))
    return ReportContext(
        council=council,
        snapshot=snapshot,
        state=state,
        year_snapshots=year_snapshots,
        previous=previous,
        batches=batches,
        warnings=warnings,
        commentary=commentary,
        public=options.public,
        caseload_target=options.caseload_target,
        prior_year_snapshots=prior,
        prior_year_outturn=_year_outturn(state, year.previous()) if prior else None,
        movement=movement,
        backtest=backtest,
        benchmark=benchmark,
        mtfp=mtfp,
        unavailable=unavailable,
        generated_on=today,
    )


def build(
    settings: Settings, options: ReportOptions, today: date | None = None
) -> tuple[ReportContext, Report]:
    """The report as content, before any format is written, with the context it came from."""
    from carecast.reports.builder import build_report

    logo, logo_type = read_logo(options.logo)
    context = load_context(settings, options, today or datetime.now(UTC).date())
    return context, build_report(context, logo=logo, logo_type=logo_type)


def file_stem(report: Report) -> str:
    return f"carecast-report-{report.period_label}" + ("-public" if report.public else "")


def make_report(
    settings: Settings, options: ReportOptions, out_dir: Path, progress: Progress = quiet
) -> ReportResult:
    """Build the report and write each requested format into `out_dir`; times every step."""
    from carecast.reports.charts import render_png
    from carecast.reports.docx_writer import write_docx
    from carecast.reports.html import chart_svgs, write_html
    from carecast.reports.pdf import write_pdf
    from carecast.reports.xlsx_writer import write_xlsx

    seconds: dict[str, float] = {}
    steps = 1 + len(options.formats)
    started = time.perf_counter()
    progress("Gathering the snapshot, activity and benchmarks", 0, steps)
    context, report = build(settings, options)
    seconds["build"] = time.perf_counter() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / file_stem(report)
    charts = [chart for part in report.sections for chart in part.charts]
    svgs: dict[str, str] | None = None
    pngs: dict[str, bytes] | None = None
    files: dict[str, Path] = {}
    pages: int | None = None
    for done, kind in enumerate(options.formats, start=1):
        progress(f"Writing {kind.upper()}", done, steps)
        began = time.perf_counter()
        if svgs is None:
            svgs = chart_svgs(report)
        if kind in ("docx", "xlsx") and pngs is None:
            pngs = {chart.key: render_png(chart, svg=svgs[chart.key]) for chart in charts}
        path = stem.with_suffix(f".{kind}")
        if kind == "html":
            files[kind] = write_html(report, path, svgs)
        elif kind == "pdf":
            files[kind], pages = write_pdf(report, path, svgs)
        elif kind == "docx":
            files[kind] = write_docx(report, path, pngs)
        else:
            files[kind] = write_xlsx(report, path, pngs)
        seconds[kind] = time.perf_counter() - began
    seconds["total"] = time.perf_counter() - started
    if not files:
        raise NotFound("no format was asked for")
    return ReportResult(
        council=context.council,
        snapshot_id=context.snapshot.snapshot_id,
        period=context.period,
        files=files,
        seconds=seconds,
        omitted=report.omitted,
        pages=pages,
        unavailable=dict(context.unavailable),
        report=report,
    )
