"""A council's stored rows that the cross-file rules read, kept in memory between its imports.

Many imports of one council in a row (a synthetic nation, years of monthly extracts) each check
their files against what the store knew; reading and resolving that from the store each time was
over a third of every import, and grew with each extract stored. `StoredRows` keeps the few
columns those rules read of every row the council has stored, keyed by batch, and is brought up
to date from the store's list of batches before each use: a batch it has not seen is read (its
rows only), a batch no longer in the store (undone, or written by a transaction rolled back) is
dropped. Stored rows are never changed once written, and a batch is known by its id with its run
(a uuid: an id the database hands out again after an undo is another batch), so what it holds is
always what reading the store in that transaction would give. The batches of an import just
committed are added by `remember` from the very frames written (bulk.store_sources), rather than
read back. `resolve` then picks what was known on a date exactly as `state_frames` does in SQL
(tests/test_import_known_state.py checks both, on every date of a council's imports).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import polars as pl
import sqlalchemy as sa

from carecast.domain.provenance import Council
from carecast.ingest.loader import ParsedFile
from carecast.ingest.rules_cross_file import (
    CHILDREN,
    COMMITMENTS,
    COST_CENTRES,
    EPISODES,
    empty,
)
from carecast.store.bulk import store_sources
from carecast.store.schema import RECORD_TABLES, import_batches
from carecast.store.state import KEYS, SNAPSHOTS, Order

# dataset → store column → canonical column (in the order of rules_cross_file's frames).
WANTED: dict[str, dict[str, str]] = {
    "ssda903_header": dict(zip(("child_id",), CHILDREN, strict=True)),
    "ssda903_episodes": dict(
        zip(("child_id", "decom", "place", "place_provider", "dec"), EPISODES, strict=True)
    ),
    "placement_costs": dict(
        zip(
            ("child_id", "category", "start_date", "end_date", "cost_centre"),
            COMMITMENTS,
            strict=True,
        )
    ),
    "cost_centres": dict(zip(("code", "service_line"), COST_CENTRES, strict=True)),
}
# The order a resolved frame is given in, whichever way it was resolved.
SORTED_BY: dict[str, tuple[str, ...]] = {
    "ssda903_header": CHILDREN,
    "ssda903_episodes": ("CHILD", "DECOM"),
    "cost_centres": ("COST_CENTRE",),
}


def wanted_empty(dataset: str) -> pl.DataFrame:
    return empty(list(WANTED[dataset].values()))


def row_schema(dataset: str) -> dict[str, pl.DataType]:
    """A stored row as held here: its batch, the wanted columns, its id (order of arrival)."""
    return dict(_row_schema(dataset))  # a copy: the caller may change it


@lru_cache(maxsize=16)
def _row_schema(dataset: str) -> dict[str, pl.DataType]:
    return {"batch_id": pl.Int64(), **wanted_empty(dataset).schema, "id": pl.Int64()}


@dataclass
class StoredRows:
    """One council's stored rows of the datasets the cross-file rules read; see the module."""

    council_id: int | None = None
    batches: dict[tuple[int, str], str] = field(default_factory=dict)  # (id, run) → dataset
    rows: dict[str, pl.DataFrame] = field(default_factory=dict)


def _read_batches(connection: sa.Connection, dataset: str, batch_ids: list[int]) -> pl.DataFrame:
    table = RECORD_TABLES[dataset]
    query = sa.select(
        table.c.batch_id, *(table.c[name] for name in WANTED[dataset]), table.c.id
    ).where(table.c.batch_id.in_(batch_ids))
    return pl.DataFrame(connection.execute(query).all(), schema=row_schema(dataset), orient="row")


def refresh(stored: StoredRows, connection: sa.Connection, council: Council) -> None:
    """Bring `stored` to what the store holds for `council` in this transaction."""
    if stored.council_id != council.council_id:
        stored.council_id, stored.batches, stored.rows = council.council_id, {}, {}
    query = sa.select(import_batches.c.id, import_batches.c.run_id, import_batches.c.dataset).where(
        import_batches.c.council_id == council.council_id,
        import_batches.c.dataset.in_(list(WANTED)),
    )
    in_store = {
        (batch_id, run_id): dataset for batch_id, run_id, dataset in connection.execute(query)
    }
    gone = [batch_id for batch_id, run_id in stored.batches.keys() - in_store.keys()]
    new = in_store.keys() - stored.batches.keys()
    for dataset in WANTED:
        rows = stored.rows.get(dataset, pl.DataFrame(schema=row_schema(dataset)))
        if gone:  # first, so that a reused id's new rows are not dropped with its old ones
            rows = rows.filter(~pl.col("batch_id").is_in(gone))
        added = sorted(b for b, run in new if in_store[b, run] == dataset)
        if added:
            rows = pl.concat([rows, _read_batches(connection, dataset, added)])
        stored.rows[dataset] = rows
    stored.batches = in_store


def remember(
    stored: StoredRows, council: Council, run_id: str, saved: Sequence[tuple[int, ParsedFile]]
) -> None:
    """Add the batches (id, file) of run `run_id`, just committed for `council`, with the rows
    written for them. Within a batch, rows are numbered in the order written, which is the
    order of their ids in the store: all `resolve` compares ids for. Rows kept for another
    council, or none yet, are left to `refresh`."""
    if stored.council_id != council.council_id:
        return
    for batch_id, parsed in saved:
        dataset = parsed.dataset.name
        if dataset not in WANTED:
            continue
        # The columns written (bulk.store_sources), selected from the parsed frame in one plain
        # select: the store's whole row as a lazy query and a select of it cost three times more.
        source = store_sources(RECORD_TABLES[dataset], parsed)
        schema = _row_schema(dataset)
        rows = parsed.frame.select(
            pl.lit(batch_id, pl.Int64).alias("batch_id"),
            *(
                (pl.col(source[name]) if name in source else pl.lit(None))
                .cast(schema[canonical])
                .alias(canonical)
                for name, canonical in WANTED[dataset].items()
            ),
            pl.int_range(pl.len(), dtype=pl.Int64).alias("id"),
        )
        stored.rows[dataset] = pl.concat([stored.rows[dataset], rows])
        stored.batches[batch_id, run_id] = dataset


def _ranks(arrival: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {"batch_id": arrival, "rank": range(len(arrival))},
        schema={"batch_id": pl.Int64, "rank": pl.Int64},
    )


def resolve(
    stored: StoredRows, dataset: str, orders: dict[int, Order], known_on: date
) -> pl.DataFrame:
    """What the store knew of `dataset` on `known_on`, from the batches in `orders` (those with
    an as-of date on or before it): the resolution of state_frames, in polars."""
    columns = WANTED[dataset]
    wanted = list(columns.values())
    if not orders:
        return wanted_empty(dataset)
    if dataset in SNAPSHOTS:  # the latest run's batches, whole
        latest_run = max(orders.values())[:2]
        orders = {b: order for b, order in orders.items() if order[:2] == latest_run}
    # One lazy query on the in-memory engine (the default, streaming, costs more to start than
    # these rows take) rather than an eager step, and a query, each.
    rows = stored.rows[dataset].lazy()
    if dataset == "ssda903_header":  # any version of a child's header row counts
        known = rows.filter(pl.col("batch_id").is_in(list(orders)))
        return known.select(pl.col("CHILD").unique().sort()).collect(engine="in-memory")
    arrival = sorted(orders, key=orders.__getitem__)
    rows = rows.join(_ranks(arrival).lazy(), on="batch_id").sort("rank", "id")
    if dataset in SNAPSHOTS:
        return rows.select(wanted).collect(engine="in-memory")
    if dataset == "ssda903_episodes":
        rows = rows.filter(pl.col("DECOM") <= known_on)
    # Keyed records: the latest batch (by as-of date, then arrival) wins for each key.
    keys = [columns[name] for name in KEYS[dataset]]
    latest = rows.unique(subset=keys, keep="last", maintain_order=True)
    if dataset == "ssda903_episodes":  # kept only when open on `known_on`
        latest = latest.filter(pl.col("DEC").is_null() | (pl.col("DEC") > known_on))
    return latest.select(wanted).sort(SORTED_BY[dataset]).collect(engine="in-memory")
