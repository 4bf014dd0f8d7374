"""Commentary on the committee report, per section, kept with the forecast snapshot."""

from __future__ import annotations

from pathlib import Path

from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.errors import InvalidInput, UsageError
from carecast.reports.commentary_file import commentary_template, parse_commentary
from carecast.reports.sections import SECTION_TITLES
from carecast.services.setup import council_transaction
from carecast.store.accounts import append_audit
from carecast.store.commentary import StoredCommentary, add_commentary, commentary_for
from carecast.store.snapshots import latest_snapshot_id


def _check_section(section: str) -> str:
    key = section.strip().lower()
    if key not in SECTION_TITLES:
        raise UsageError(
            f"'{section}' is not a report section; use one of {', '.join(SECTION_TITLES)}"
        )
    return key


def set_commentary(
    settings: Settings,
    sections: dict[str, str],
    period: Period | None = None,
    *,
    actor: tuple[str, str] | None = None,
) -> tuple[int, list[StoredCommentary]]:
    """Store commentary for sections of the latest snapshot of `period` (default: the latest).

    With `actor` (who, from where: the web application's editors), each section's text before
    and after is written to the audit log in the same transaction."""
    keys = {_check_section(key): text.strip() for key, text in sections.items()}
    with council_transaction(settings) as (connection, council):
        snapshot_id = latest_snapshot_id(connection, council, period)
        earlier = commentary_for(connection, council, snapshot_id) if actor else {}
        stored = [
            add_commentary(connection, council, snapshot_id, key, text)
            for key, text in keys.items()
        ]
        if actor is not None:
            who, where = actor
            for item in stored:
                before = earlier.get(item.section)
                append_audit(
                    connection,
                    at=item.written_at,
                    actor=who,
                    source=where,
                    action="commentary_set",
                    subject=f"snapshot {snapshot_id} {item.section}",
                    before=None if before is None else {"text": before.text},
                    after={"text": item.text},
                )
    return snapshot_id, stored


def commentary_from_file(
    settings: Settings, path: Path, period: Period | None = None
) -> tuple[int, list[StoredCommentary]]:
    """Store the commentary of a file with `## section` headings: all of it, or none."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read commentary file '{path}': {error}") from None
    found, issues = parse_commentary(text, path.name, SECTION_TITLES)
    if issues:
        raise InvalidInput(issues)
    if not found:
        raise UsageError(f"'{path}' has no '## section' heading, so it sets no commentary")
    return set_commentary(settings, found, period)


def show_commentary(
    settings: Settings, period: Period | None = None
) -> tuple[int, dict[str, StoredCommentary]]:
    """The commentary the report of `period` would carry, by section."""
    with council_transaction(settings) as (connection, council):
        snapshot_id = latest_snapshot_id(connection, council, period)
        return snapshot_id, commentary_for(connection, council, snapshot_id)


def commentary_file_text(settings: Settings, period: Period | None = None) -> str:
    """A commentary file for every section with what is written so far, ready to edit."""
    _snapshot_id, stored = show_commentary(settings, period)
    return commentary_template(SECTION_TITLES, {k: c.text for k, c in stored.items()})
