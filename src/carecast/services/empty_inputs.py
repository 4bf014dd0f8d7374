"""Inputs that would empty what the store knows: withheld with a warning, unless --allow-empty.

Commitments, the establishment and allowances are snapshots, replaced whole by each import run
(store/state.py). A file of one with a header and no rows — a failed export, a filter left on —
would replace the snapshot with nothing, and the forecast would drop the cost without a word. An
SSDA903 return lists every episode of its year, so one holding none is as surely a broken export.
Such a file is not stored; the warning says what storing it would remove. With --allow-empty it is
stored, and the warning says what it removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from carecast.domain.provenance import Council
from carecast.errors import Issue, Severity
from carecast.ingest.columns import Kind
from carecast.ingest.loader import ParsedFile
from carecast.store.state import SNAPSHOTS, snapshot_size

RULE = "no-rows"
NO_ROWS = "the file has a header and no rows"
# Per snapshot input: what it is, what one row is, and the period its money is for.
WHAT = {
    "placement_costs": ("placement commitments", "commitment", "a week"),
    "establishment": ("staffing establishment", "post", "a year"),
    "allowances": ("allowances", "allowance", "a week"),
}


@dataclass(frozen=True)
class Reviewed:
    """The files to store, the warnings about empty ones, and the sources withheld."""

    files: list[ParsedFile]
    warnings: list[Issue]
    withheld: list[str]


def _pounds(pence: int) -> str:
    return f"£{pence / 100:,.2f}" if pence >= 0 else f"-£{-pence / 100:,.2f}"


def _snapshot_message(
    connection: sa.Connection, council: Council, parsed: ParsedFile, as_of: date, *, allow: bool
) -> str:
    dataset = parsed.dataset
    what, noun, per = WHAT[dataset.name]
    money = next(c.name for c in dataset.columns if c.kind is Kind.MONEY)
    size = snapshot_size(connection, council, dataset.name, as_of, dataset.store_column(money))
    if size.as_of is None or not size.rows:
        known = f"nothing is known yet of the {what}"
        return (
            f"{NO_ROWS}; {known} (imported with --allow-empty)"
            if allow
            else (
                f"{NO_ROWS}; {known}, so it was not imported; if there really are none, import it "
                "with --allow-empty"
            )
        )
    removed = (
        f"the {what}: {size.rows:,} {noun}{'' if size.rows == 1 else 's'} "
        f"({_pounds(size.pence)} {per}) known on {size.as_of.isoformat()}"
    )
    if allow:
        return f"{NO_ROWS}: importing it removed {removed} (--allow-empty)"
    return (
        f"{NO_ROWS}: importing it would remove {removed}, so it was not imported; if there "
        "really are none now, import it with --allow-empty"
    )


def _empty_returns(files: Sequence[ParsedFile], read: Sequence[str]) -> list[str]:
    """The SSDA903 XML files of the import whose tables hold no episode."""
    with_episodes = {
        p.source for p in files if p.dataset.name == "ssda903_episodes" and p.row_count
    }
    return [s for s in read if s.lower().endswith(".xml") and s not in with_episodes]


def review_empty(
    connection: sa.Connection,
    council: Council,
    files: Sequence[ParsedFile],
    read: Sequence[str],
    as_of: date,
    *,
    allow_empty: bool,
) -> Reviewed:
    """Withhold (or, `allow_empty`, keep) each file that would empty a snapshot, and each SSDA903
    XML return holding no episode; `read` is every file the import read."""
    # A run's files of one snapshot input form the snapshot together: an empty one beside a
    # full one removes nothing.
    full = {p.dataset.name for p in files if p.row_count}
    empty = [p for p in files if p.dataset.name in SNAPSHOTS and p.dataset.name not in full]
    returns = _empty_returns(files, read)
    warnings = [
        Issue(
            p.source,
            None,
            None,
            RULE,
            _snapshot_message(connection, council, p, as_of, allow=allow_empty),
            Severity.WARNING,
        )
        for p in empty
    ]
    return_message = (
        "the SSDA903 return holds no episodes (a return lists every episode of its year)"
    )
    warnings += [
        Issue(
            source,
            None,
            None,
            RULE,
            f"{return_message}; imported with --allow-empty"
            if allow_empty
            else f"{return_message}, so nothing from it was imported; check the export, or "
            "import it with --allow-empty",
            Severity.WARNING,
        )
        for source in returns
    ]
    if allow_empty:
        return Reviewed(list(files), warnings, [])
    withheld = list(dict.fromkeys([*(p.source for p in empty), *returns]))
    kept = [p for p in files if p.source not in withheld]
    return Reviewed(kept, warnings, withheld)
