"""Benchmarking use cases: a council against its statistical neighbours and England, and newer
releases of the reference data."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from carecast.benchmarking.assemble import benchmark, resolve_code
from carecast.benchmarking.figures import BenchmarkResult, OwnCouncil
from carecast.benchmarking.own_figures import OwnInputs
from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.domain.provenance import Council, ForecastSnapshot
from carecast.errors import NotFound, StoreNotReady
from carecast.reference.dataset import ReferenceData, load_reference
from carecast.reference.library import ReferenceFile, files_in_use, import_releases
from carecast.services.setup import council_transaction
from carecast.store.councils import find_council
from carecast.store.engine import check_ready, make_engine
from carecast.store.imports import list_batches
from carecast.store.snapshots import latest_snapshot_id, load_snapshot
from carecast.store.state import load_state

REFERENCE_FOLDER = "carecast-reference"


def _sqlite_file(settings: Settings) -> Path | None:
    """The file of a SQLite store (None for PostgreSQL or an in-memory database)."""
    try:
        url = sa.make_url(settings.database_url)
    except sa.exc.ArgumentError:
        return None
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(str(url.database))


def reference_folder(settings: Settings) -> Path:
    """Where imported releases live: the setting, else beside a SQLite store's file, else the
    user's data folder (`$XDG_DATA_HOME/carecast/reference`)."""
    if settings.reference_dir is not None:
        return settings.reference_dir
    database = _sqlite_file(settings)
    if database is not None:
        return database.resolve().parent / REFERENCE_FOLDER
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "carecast" / "reference"


def reference_files(settings: Settings) -> list[ReferenceFile]:
    """Every reference file in use: the shipped releases, then those imported, in order."""
    return files_in_use(reference_folder(settings))


def reference_data(settings: Settings) -> ReferenceData:
    return load_reference(reference_files(settings))


def import_reference(
    settings: Settings, paths: list[Path]
) -> tuple[list[ReferenceFile], list[Path]]:
    """Store newer releases (all or none; InvalidInput names each file carecast cannot read) and
    return those stored and those already there."""
    return import_releases(paths, reference_folder(settings))


def _own_inputs(
    connection: sa.Connection, council: Council, period: Period | None = None
) -> OwnInputs | None:
    """The store's data for the council: as at the period end of the latest forecast (of
    `period`, when given), with that forecast's costs; else as at the latest import; None when
    nothing was imported."""
    snapshot: ForecastSnapshot | None = None
    try:
        snapshot_id = latest_snapshot_id(connection, council, period)
        snapshot = load_snapshot(connection, council, snapshot_id)
    except NotFound:
        snapshot = None
    if snapshot is not None:
        day: date = snapshot.forecast.period.last_day
        known_on = snapshot.forecast.knowledge_date
    else:
        batches = list_batches(connection, council)
        if not batches:
            return None
        day = known_on = max(b.as_of for b in batches)
    state = load_state(connection, council, known_on)
    return OwnInputs(
        OwnCouncil(
            council.name,
            council.la_code,
            day,
            None if snapshot is None else snapshot.snapshot_id,
        ),
        state.episodes,
        state.posts,
        snapshot,
    )


def _store_missing(settings: Settings) -> bool:
    """A SQLite store whose file does not exist (opening it would create an empty one)."""
    database = _sqlite_file(settings)
    return database is not None and not database.exists()


def _stored_council(
    settings: Settings, data: ReferenceData, code: str
) -> tuple[OwnInputs | None, str | None]:
    """The store's data for the council with DfE code `code` (stored under that code or its ONS
    code), if the store holds it; and a note when a store exists but could not be read."""
    if _store_missing(settings):
        return None, None
    engine = make_engine(settings.database_url)
    try:
        check_ready(engine)
        with engine.begin() as connection:
            for spelling in (code, data.ons_codes.get(code)):
                if spelling is None:
                    continue
                try:
                    council = find_council(connection, spelling)
                except StoreNotReady:
                    continue
                return _own_inputs(connection, council), None
    except StoreNotReady as exc:
        return None, f"The store could not be read ({exc.message}); own figures are left out."
    finally:
        engine.dispose()
    return None, None


def benchmark_council(
    settings: Settings, la_code: str | None = None, period: Period | None = None
) -> BenchmarkResult:
    """The benchmark of a council: for the report's benchmark section and `carecast benchmark`.

    la_code: a DfE three-digit code (`209`) or an ONS code (`E09000023`) of any English council
        in the reference data; default: the council in the store.
    period: the close the benchmark is for (the report's): the own figures come from that
        period's forecast, and each section shows the published year of its financial year
        where the data has it; default: the latest forecast.
    Returns a `BenchmarkResult` (carecast.benchmarking.figures), a frozen tree of plain values:
        `neighbours` (DfE's statistical neighbours, nearest first, with the model cited);
        `sections` — `cla_rate` (children looked after per 10,000 on 31 March, every year),
        `flows` (starting and ceasing per 10,000, new placements, why children ceased),
        `placement_mix` (placement groups and private/voluntary providers), `workforce`
        (agency, vacancy and turnover rates, caseloads) and `spend` (RO3 net spend per child and
        per child looked after); each `Row` holds the council's `Figure`, its neighbours' mean and
        England's, and — when the store holds this council — `own`, the same measure from the
        store's data; every `Figure` has a value (`Decimal`, or None with a `note` saying why),
        a unit and a `Source` (publisher, table, file, measure, year);
        `estimates` — 'at the neighbours' rate' (children fewer × average weekly cost × 365/7
        weeks), from published figures and, with a stored forecast, from the store's own data.
    Raises NotFound when the code is in none of the reference files, StoreNotReady when no code is
    given and the store holds no council.
    """
    data = reference_data(settings)
    year = None if period is None else period.financial_year
    if la_code is None:
        with council_transaction(settings) as (connection, council):
            code = resolve_code(data, council.la_code)
            own = _own_inputs(connection, council, period)
        return benchmark(data, code, own, year)
    code = resolve_code(data, la_code)
    own, note = _stored_council(settings, data, code)
    result = benchmark(data, code, own, year)
    return result if note is None else replace(result, notes=(*result.notes, note))
