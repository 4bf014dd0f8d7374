"""What the store knew about a council on a date, resolved from its import batches.

History is never overwritten: each import adds batches, and the state on a date is rebuilt from
the batches with `as_of` on or before it, so every past period can be replayed for backtesting.
How a later batch supersedes an earlier one depends on the kind of input:
- a snapshot (commitments, establishment, allowances) is replaced whole by the latest import run;
- keyed records (children, episodes, cost centres, budget lines, actions) are replaced one key at a
  time, so several SSDA903 years stitch into one history per child;
- ledger actuals are replaced one period at a time (formats.md: re-importing a period replaces it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from carecast.domain.activity import Episode
from carecast.domain.finance import Commitment
from carecast.domain.periods import Period
from carecast.domain.provenance import Council
from carecast.domain.state import ActivityState, CommitmentsExtract
from carecast.store import records
from carecast.store.schema import RECORD_TABLES, import_batches, ledger_entries

SNAPSHOTS = frozenset({"placement_costs", "establishment", "allowances"})
KEYS: dict[str, tuple[str, ...]] = {
    "ssda903_header": ("child_id",),
    "ssda903_episodes": ("child_id", "decom"),
    "cost_centres": ("code",),
    "budget": ("financial_year", "service_line"),
    "actions": ("action_id",),
}
FROM_ROW: dict[str, Callable[[Any], Any]] = {
    "ssda903_header": records.child,
    "ssda903_episodes": records.episode,
    "placement_costs": records.commitment,
    "gl_actuals": records.ledger_entry,
    "cost_centres": records.cost_centre,
    "budget": records.budget_line,
    "establishment": records.post,
    "allowances": records.allowance,
    "actions": records.action,
}

# Snapshots of commitments and establishment are also read as an extract about six months before
# showed them (at least four weeks before), to see whether end dates are kept or rolled on.
EARLIER_DAYS = 182
EARLIER_MIN_DAYS = 28
# The past years whose year-end commitments extract is read to price those years' placements.
PAST_YEAR_ENDS = 3
# (as_of, run's first batch id, batch id): the order in which knowledge arrived.
Order = tuple[date, int, int]


def _batch_rows(connection: sa.Connection, council: Council, known_on: date) -> list[Any]:
    query = (
        sa.select(
            import_batches.c.id,
            import_batches.c.dataset,
            import_batches.c.run_id,
            import_batches.c.as_of,
        )
        .where(
            import_batches.c.council_id == council.council_id, import_batches.c.as_of <= known_on
        )
        .order_by(import_batches.c.id)
    )
    return list(connection.execute(query).all())


def _orders(batches: list[Any], known_on: date) -> dict[str, dict[int, Order]]:
    """The order of each batch with an as-of date on or before `known_on`, by dataset."""
    run_start: dict[str, int] = {}
    by_dataset: dict[str, dict[int, Order]] = defaultdict(dict)
    for batch_id, dataset, run_id, as_of in batches:
        if as_of > known_on:
            continue
        run_start.setdefault(run_id, batch_id)
        by_dataset[dataset][batch_id] = (as_of, run_start[run_id], batch_id)
    return by_dataset


def _batch_orders(
    connection: sa.Connection, council: Council, known_on: date
) -> dict[str, dict[int, Order]]:
    return _orders(_batch_rows(connection, council, known_on), known_on)


# Every row id of a store is below this: a row's place in the order of knowledge is its batch's
# rank times ID_SPAN plus its id, one integer the database can take the greatest and least of.
ID_SPAN = 2**40


def _rows(
    connection: sa.Connection,
    dataset: str,
    batch_ids: list[int],
    children: Collection[str] | None = None,
) -> list[Any]:
    table = RECORD_TABLES[dataset]
    if not batch_ids:
        return []
    query = sa.select(table).where(table.c.batch_id.in_(batch_ids)).order_by(table.c.id)
    if children is not None:
        query = query.where(table.c.child_id.in_(sorted(children)))
    return list(connection.execute(query).mappings().all())


def _latest_by_key(
    connection: sa.Connection,
    dataset: str,
    orders: dict[int, Order],
    children: Collection[str] | None,
) -> list[Any]:
    """The latest row of each key of a keyed dataset, in the order its key was first known.

    The rows are ordered by their batch's order and then by id; each key keeps its last row and
    takes the place of its first. The database does this grouping: each SSDA903 extract restates
    years of history, so most rows are superseded, and reading them into Python cost several
    times the rest of the state."""
    table = RECORD_TABLES[dataset]
    rank = {batch: i for i, batch in enumerate(sorted(orders, key=orders.__getitem__))}
    place = sa.cast(sa.case(rank, value=table.c.batch_id), sa.BigInteger) * ID_SPAN + table.c.id
    grouped = (
        sa.select(sa.func.max(place).label("last"), sa.func.min(place).label("first"))
        .where(table.c.batch_id.in_(list(rank)))
        .group_by(*(table.c[c] for c in KEYS[dataset]))
    )
    if children is not None:
        grouped = grouped.where(table.c.child_id.in_(sorted(children)))
    kept = grouped.subquery()
    query = sa.select(table).join(kept, table.c.id == kept.c.last % ID_SPAN).order_by(kept.c.first)
    return list(connection.execute(query).mappings().all())


def _resolve(
    connection: sa.Connection,
    dataset: str,
    orders: dict[int, Order],
    children: Collection[str] | None = None,
) -> list[Any]:
    """The rows of `dataset` in force (of `children` only, when given: a dataset keyed by child)."""
    if not orders:
        return []
    if dataset in SNAPSHOTS:
        latest_run = max(orders.values())[:2]
        batch_ids = [b for b, order in orders.items() if order[:2] == latest_run]
        return [FROM_ROW[dataset](r) for r in _rows(connection, dataset, batch_ids, children)]
    if dataset == "gl_actuals":
        # a period is replaced whole: by the rows of the latest import run that posted to it
        rows = sorted(
            _rows(connection, dataset, list(orders), children),
            key=lambda r: orders[r["batch_id"]],
        )
        winner: dict[str, tuple[date, int]] = {}
        for row in rows:
            winner[row["period"]] = orders[row["batch_id"]][:2]
        kept = [r for r in rows if orders[r["batch_id"]][:2] == winner[r["period"]]]
        return [FROM_ROW[dataset](r) for r in kept]
    return [FROM_ROW[dataset](r) for r in _latest_by_key(connection, dataset, orders, children)]


@dataclass(frozen=True)
class SnapshotSize:
    """What a snapshot dataset holds on a date: its import run's as-of date, rows and money."""

    as_of: date | None
    rows: int
    pence: int


def snapshot_size(
    connection: sa.Connection, council: Council, dataset: str, known_on: date, money: str
) -> SnapshotSize:
    """The rows of `dataset` (a SNAPSHOTS dataset) known on `known_on`, and the sum of its store
    column `money`: what an import replacing it would remove."""
    orders = _batch_orders(connection, council, known_on).get(dataset, {})
    if not orders:
        return SnapshotSize(None, 0, 0)
    latest_run = max(orders.values())[:2]
    batch_ids = [b for b, order in orders.items() if order[:2] == latest_run]
    table = RECORD_TABLES[dataset]
    rows, pence = connection.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(table.c[money]), 0)).where(
            table.c.batch_id.in_(batch_ids)
        )
    ).one()
    return SnapshotSize(latest_run[0], int(rows), int(pence))


def _snapshot_near(
    connection: sa.Connection, dataset: str, orders: dict[int, Order], target: date
) -> tuple[date | None, tuple[Any, ...]]:
    """The import run of a snapshot dataset whose as-of date is nearest `target`, and its rows."""
    if not orders:
        return None, ()
    runs = {order[:2] for order in orders.values()}
    chosen = min(runs, key=lambda run: (abs((run[0] - target).days), -run[1]))
    batch_ids = [b for b, order in orders.items() if order[:2] == chosen]
    rows = _rows(connection, dataset, batch_ids)
    return chosen[0], tuple(FROM_ROW[dataset](r) for r in rows)


def _past_extracts(
    connection: sa.Connection, orders: dict[int, Order], known_on: date
) -> tuple[CommitmentsExtract, ...]:
    """The commitments extracts nearest each of the last PAST_YEAR_ENDS 31 Marches before
    `known_on`, other than the extract in force: each import of a snapshot replaces it whole, so
    the placements of past years that ended before today's extract are priced from these."""
    if not orders:
        return ()
    in_force = max(orders.values())[:2]
    runs = {order[:2] for order in orders.values()}
    last = known_on.year if known_on >= date(known_on.year, 3, 31) else known_on.year - 1
    chosen: set[tuple[date, int]] = set()
    for year in range(last, last - PAST_YEAR_ENDS, -1):
        year_end = date(year, 3, 31)
        chosen.add(min(runs, key=lambda run: (abs((run[0] - year_end).days), -run[1])))
    chosen.discard(in_force)
    extracts = []
    for run in sorted(chosen):
        batch_ids = [b for b, order in orders.items() if order[:2] == run]
        rows = _rows(connection, "placement_costs", batch_ids)
        extracts.append(
            CommitmentsExtract(run[0], tuple(FROM_ROW["placement_costs"](r) for r in rows))
        )
    return tuple(extracts)


def load_actions(connection: sa.Connection, council: Council, known_on: date) -> tuple[Any, ...]:
    """The risks, actions and savings known on `known_on`, as `load_state` resolves them, without
    reading the rest of what the council holds (the actions page reads nothing else)."""
    orders = _batch_orders(connection, council, known_on)
    return tuple(_resolve(connection, "actions", orders.get("actions", {})))


def load_state(connection: sa.Connection, council: Council, known_on: date) -> ActivityState:
    """Everything imported for `council` with an as-of date on or before `known_on`, the
    commitments and establishment of the extract nearest six months before (EARLIER_DAYS), and
    the commitments extracts nearest the last PAST_YEAR_ENDS 31 Marches (past_extracts)."""
    return _state(connection, council, known_on, whole=True)


def load_placement_history(
    connection: sa.Connection, council: Council, known_on: date
) -> ActivityState:
    """The children, their episodes and the commitments known on `known_on` (with the extract
    nearest six months before), as `load_state` resolves them; the ledger, the establishment,
    the allowances, the budget, the actions and past years' extracts are left empty. What a
    projection of children and the price of their placements reads (services/region.py), at
    about half the cost of the whole state."""
    return _state(connection, council, known_on, whole=False)


def _state(
    connection: sa.Connection, council: Council, known_on: date, *, whole: bool
) -> ActivityState:
    batches = _batch_rows(connection, council, known_on)
    orders = _orders(batches, known_on)
    earlier = _orders(batches, known_on - timedelta(days=EARLIER_MIN_DAYS))
    target = known_on - timedelta(days=EARLIER_DAYS)

    def resolved(dataset: str) -> tuple[Any, ...]:
        return tuple(_resolve(connection, dataset, orders.get(dataset, {})))

    commitments_on, earlier_commitments = _snapshot_near(
        connection, "placement_costs", earlier.get("placement_costs", {}), target
    )
    placements = ActivityState(
        known_on=known_on,
        children=resolved("ssda903_header"),
        episodes=resolved("ssda903_episodes"),
        commitments=resolved("placement_costs"),
        earlier_commitments_on=commitments_on,
        earlier_commitments=earlier_commitments,
    )
    if not whole:
        return placements
    posts_on, earlier_posts = _snapshot_near(
        connection, "establishment", earlier.get("establishment", {}), target
    )
    return replace(
        placements,
        ledger=resolved("gl_actuals"),
        cost_centres=resolved("cost_centres"),
        budget=resolved("budget"),
        posts=resolved("establishment"),
        allowances=resolved("allowances"),
        actions=resolved("actions"),
        earlier_posts_on=posts_on,
        earlier_posts=earlier_posts,
        past_extracts=_past_extracts(connection, orders.get("placement_costs", {}), known_on),
    )


def latest_as_of(connection: sa.Connection, council: Council, dataset: str) -> date | None:
    """The latest as-of date of the council's imports of `dataset`; None when it has none."""
    query = sa.select(sa.func.max(import_batches.c.as_of)).where(
        import_batches.c.council_id == council.council_id, import_batches.c.dataset == dataset
    )
    latest: date | None = connection.execute(query).scalar()
    return latest


# Beyond this many children a page reads every child's records rather than list them all in SQL.
MOST_CHILDREN_LISTED = 2000


def load_placement_records(
    connection: sa.Connection, council: Council, known_on: date, children: Collection[str]
) -> tuple[tuple[Episode, ...], tuple[Commitment, ...]]:
    """The episodes and commitments of `children` in the state known on `known_on` (as
    `load_state` resolves them), without the rest: what a page listing placements needs."""
    orders = _batch_orders(connection, council, known_on)
    wanted = children if len(children) <= MOST_CHILDREN_LISTED else None
    if wanted is not None and not wanted:
        return (), ()
    return (
        tuple(_resolve(connection, "ssda903_episodes", orders.get("ssda903_episodes", {}), wanted)),
        tuple(_resolve(connection, "placement_costs", orders.get("placement_costs", {}), wanted)),
    )


def latest_ledger_period(connection: sa.Connection, council: Council) -> Period | None:
    query = (
        sa.select(sa.func.max(ledger_entries.c.period))
        .join(import_batches, import_batches.c.id == ledger_entries.c.batch_id)
        .where(import_batches.c.council_id == council.council_id)
    )
    value = connection.execute(query).scalar()
    return None if value is None else Period.parse(value)
