"""What the store knew on a date, as polars frames for the cross-file rules of an import.

The same resolution as `state.load_state` (latest run for snapshots, latest batch per key for keyed
records), but only the tables, columns and rows the rules need, straight into columnar frames: an
import checked against a store of many years of episodes must not read or build all of them.
Keyed records come sorted by key, read either way, so the problems found come in one order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl
import sqlalchemy as sa

from carecast.domain.provenance import Council
from carecast.ingest.rules_cross_file import Known, empty
from carecast.store.known_rows import SORTED_BY, WANTED, StoredRows, refresh, resolve
from carecast.store.schema import RECORD_TABLES
from carecast.store.state import KEYS, SNAPSHOTS, Order, _batch_orders


def _open_episodes(
    connection: sa.Connection, orders: dict[int, Order], known_on: date
) -> pl.DataFrame:
    """The latest version of each episode, kept only when it is open on `known_on`.

    Resolved in the database (a window over each episode's versions, ranked by arrival), so a
    store holding years of monthly extracts returns only the few hundred episodes live then.
    """
    table = RECORD_TABLES["ssda903_episodes"]
    columns = WANTED["ssda903_episodes"]
    arrival = sorted(orders, key=orders.__getitem__)
    rank = sa.case({batch: n for n, batch in enumerate(arrival)}, value=table.c.batch_id)
    latest_first = sa.func.row_number().over(
        partition_by=(table.c.child_id, table.c.decom), order_by=(rank.desc(), table.c.id.desc())
    )
    versions = (
        sa.select(*(table.c[name] for name in columns), latest_first.label("version"))
        .where(table.c.batch_id.in_(arrival), table.c.decom <= known_on)
        .subquery()
    )
    query = sa.select(*(versions.c[name] for name in columns)).where(
        versions.c.version == 1,
        sa.or_(versions.c.dec.is_(None), versions.c.dec > known_on),
    )
    schema = empty(list(columns.values())).schema
    found = pl.DataFrame(connection.execute(query).all(), schema=schema, orient="row")
    return found.sort(SORTED_BY["ssda903_episodes"])


def _frame(
    connection: sa.Connection, dataset: str, orders: dict[int, Order], known_on: date
) -> pl.DataFrame:
    columns = WANTED[dataset]
    wanted = list(columns.values())
    if not orders:
        return empty(wanted)
    table = RECORD_TABLES[dataset]
    if dataset == "ssda903_header":  # any version of a child's header row counts
        query = sa.select(table.c.child_id).where(table.c.batch_id.in_(list(orders))).distinct()
        found = pl.DataFrame(
            connection.execute(query).all(), schema=empty(wanted).schema, orient="row"
        )
        return found.sort(SORTED_BY[dataset])
    if dataset == "ssda903_episodes":
        return _open_episodes(connection, orders, known_on)
    if dataset in SNAPSHOTS:
        latest_run = max(orders.values())[:2]
        orders = {b: order for b, order in orders.items() if order[:2] == latest_run}
    query = sa.select(table.c.batch_id, *(table.c[name] for name in columns), table.c.id).where(
        table.c.batch_id.in_(list(orders))
    )
    schema: dict[str, pl.DataType] = {
        "batch_id": pl.Int64(),
        **empty(wanted).schema,
        "id": pl.Int64(),
    }
    rows = pl.DataFrame(connection.execute(query).all(), schema=schema, orient="row")
    if dataset in SNAPSHOTS:
        return rows.select(wanted)
    # Keyed records: the latest batch (by as-of date, then arrival) wins for each key.
    arrival = sorted(orders, key=orders.__getitem__)
    ranks = pl.DataFrame(
        {"batch_id": arrival, "rank": range(len(arrival))},
        schema={"batch_id": pl.Int64, "rank": pl.Int64},
    )
    keys = [columns[name] for name in KEYS[dataset]]
    return (
        rows.join(ranks, on="batch_id")
        .sort("rank", "id")
        .unique(subset=keys, keep="last", maintain_order=True)
        .select(wanted)
        .sort(SORTED_BY[dataset])
    )


# What each kind of file in an import needs of the store (see rules_cross_file).
NEEDS = {
    "ssda903_episodes": ("ssda903_header", "ssda903_episodes", "placement_costs"),
    "placement_costs": ("ssda903_episodes", "cost_centres"),
    "gl_actuals": ("cost_centres",),
}


def known_frames(
    connection: sa.Connection,
    council: Council,
    known_on: date,
    imported: Iterable[str] = (),
    stored: StoredRows | None = None,
) -> Known:
    """What the cross-file rules need to know of the store for an import of `imported` datasets:
    children, episodes open on `known_on`, commitments and cost centres known for `council` then.

    With `stored` (the council's rows kept in memory between its imports, known_rows.py), it is
    first brought up to date from the store and the state resolved from it, not read again.
    """
    needed = {wanted for dataset in imported for wanted in NEEDS.get(dataset, ())}
    orders = _batch_orders(connection, council, known_on)
    if stored is not None and needed:
        refresh(stored, connection, council)

    def frame(dataset: str) -> pl.DataFrame:
        if dataset not in needed:
            return empty(list(WANTED[dataset].values()))
        if stored is not None:
            return resolve(stored, dataset, orders.get(dataset, {}), known_on)
        return _frame(connection, dataset, orders.get(dataset, {}), known_on)

    frames = {dataset: frame(dataset) for dataset in WANTED}
    return Known(
        children=frames["ssda903_header"],
        episodes=frames["ssda903_episodes"],
        commitments=frames["placement_costs"],
        cost_centres=frames["cost_centres"],
        imported=frozenset(orders),
    )
