"""The audit log as a CSV file: every entry, oldest first, for an auditor's own tools.

Before and after are written as JSON text (what the page shows as key: value pairs); every cell
goes through cells.csv_row, so an actor's or subject's name beginning with `=` stays text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from carecast.domain.accounts import AuditEntry
from carecast.reports.cells import csv_row

HEADER = ("ID", "AT_UTC", "ACTOR", "SOURCE", "ACTION", "SUBJECT", "BEFORE", "AFTER")


def audit_csv(entries: Iterable[AuditEntry]) -> str:
    """CSV text of `entries` in the order of their ids (the order they were written)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for e in sorted(entries, key=lambda entry: entry.entry_id):
        writer.writerow(
            csv_row(
                (
                    e.entry_id,
                    e.at.isoformat(timespec="seconds"),
                    e.actor,
                    e.source,
                    e.action,
                    e.subject,
                    "" if e.before is None else json.dumps(e.before, sort_keys=True),
                    "" if e.after is None else json.dumps(e.after, sort_keys=True),
                )
            )
        )
    return out.getvalue()
