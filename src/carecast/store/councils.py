"""Councils in the store: one today, many when regional pooling arrives."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from carecast.domain.provenance import Council
from carecast.errors import NotFound, StoreNotReady, UsageError
from carecast.store.schema import councils


def create_council(
    connection: sa.Connection, name: str, la_code: str, *, pseudonymise: bool = False
) -> Council:
    existing = (
        connection.execute(sa.select(councils).where(councils.c.la_code == la_code))
        .mappings()
        .first()
    )
    if (
        existing is not None
        and existing["name"] == name
        and bool(existing["pseudonymise"]) == pseudonymise
    ):
        # `carecast init` again with the council as it is: the schema was upgraded, nothing else
        return Council(existing["id"], existing["name"], existing["la_code"])
    if existing is not None:
        raise UsageError(
            f"the store already holds council {la_code} ('{existing['name']}'); "
            "choose another --la-code or use a new --database-url"
        )
    council_id = connection.execute(
        councils.insert().values(
            name=name, la_code=la_code, created_at=datetime.now(UTC), pseudonymise=pseudonymise
        )
    ).inserted_primary_key
    assert council_id is not None
    return Council(int(council_id[0]), name, la_code)


def find_council(connection: sa.Connection, la_code: str | None = None) -> Council:
    """The council with `la_code`, or the store's only council when no code is given."""
    query = sa.select(councils).order_by(councils.c.id)
    if la_code is not None:
        query = query.where(councils.c.la_code == la_code)
    rows = connection.execute(query).mappings().all()
    if not rows:
        wanted = f"council {la_code}" if la_code else "a council"
        raise StoreNotReady(
            f"the store holds no {wanted}; run 'carecast init --council NAME --la-code CODE' first"
        )
    if len(rows) > 1:
        codes = ", ".join(r["la_code"] for r in rows)
        raise UsageError(
            f"the store holds several councils ({codes}); say which: carecast --council CODE …"
        )
    row = rows[0]
    return Council(row["id"], row["name"], row["la_code"])


def delete_council(connection: sa.Connection, la_code: str) -> bool:
    """Remove a council and everything imported or forecast for it; True when one was removed."""
    result = connection.execute(councils.delete().where(councils.c.la_code == la_code))
    return bool(result.rowcount)


def council_name(connection: sa.Connection, la_code: str) -> str | None:
    query = sa.select(councils.c.name).where(councils.c.la_code == la_code)
    name = connection.execute(query).scalar()
    return None if name is None else str(name)


def pseudonymises(connection: sa.Connection, council: Council) -> bool:
    """Whether the council's setting replaces child identifiers with pseudonyms on every import."""
    query = sa.select(councils.c.pseudonymise).where(councils.c.id == council.council_id)
    return bool(connection.execute(query).scalar())


def list_councils(connection: sa.Connection) -> list[Council]:
    """Every council the store holds, in the order they were added."""
    rows = connection.execute(sa.select(councils).order_by(councils.c.id)).mappings().all()
    return [Council(row["id"], row["name"], row["la_code"]) for row in rows]


def named_councils(
    connection: sa.Connection, codes: list[str] | None, undone: str
) -> dict[str, str]:
    """{DfE code: name} of the councils `codes` names (default: every one the store holds), in
    the order named; a code the store does not hold is refused, `undone` saying what was not."""
    held = {c.la_code: c.name for c in list_councils(connection)}
    wanted = list(codes) if codes else list(held)
    unknown = [code for code in wanted if code not in held]
    if unknown:
        raise NotFound(
            f"the store holds no council {', '.join(unknown)} (it holds "
            f"{', '.join(held) or 'none'}); {undone}"
        )
    return {code: held[code] for code in wanted}
