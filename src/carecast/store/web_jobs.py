"""The web application's background runs as the store keeps them (schema_accounts.web_jobs)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from carecast.store.schema_accounts import web_jobs

UNFINISHED = ("waiting", "running")


def save_job(
    connection: sa.Connection,
    job_id: str,
    *,
    kind: str,
    owner: str,
    state: str,
    started_at: datetime,
    payload: bytes,
) -> None:
    """Insert the run, or replace what is kept of it."""
    values = {"kind": kind, "owner": owner, "state": state, "payload": payload}
    updated = connection.execute(
        web_jobs.update().where(web_jobs.c.job_id == job_id).values(**values)
    )
    if not updated.rowcount:
        connection.execute(web_jobs.insert().values(job_id=job_id, started_at=started_at, **values))


def job_payload(connection: sa.Connection, job_id: str) -> bytes | None:
    found = connection.execute(
        sa.select(web_jobs.c.payload).where(web_jobs.c.job_id == job_id)
    ).scalar_one_or_none()
    return None if found is None else bytes(found)


def latest_job_id(connection: sa.Connection, kind: str) -> str | None:
    found: str | None = connection.execute(
        sa.select(web_jobs.c.job_id)
        .where(web_jobs.c.kind == kind)
        .order_by(web_jobs.c.started_at.desc(), web_jobs.c.job_id)
        .limit(1)
    ).scalar_one_or_none()
    return found


def unfinished_before(connection: sa.Connection, started_at: datetime, job_id: str) -> int:
    """Runs not yet finished that were started before this one."""
    count: int = connection.execute(
        sa.select(sa.func.count())
        .select_from(web_jobs)
        .where(
            web_jobs.c.state.in_(UNFINISHED),
            web_jobs.c.started_at < started_at,
            web_jobs.c.job_id != job_id,
        )
    ).scalar_one()
    return count


def forget_old_jobs(connection: sa.Connection, kept: int) -> None:
    """Keep the newest `kept` runs."""
    newest = (
        sa.select(web_jobs.c.job_id).order_by(web_jobs.c.started_at.desc()).limit(kept).subquery()
    )
    connection.execute(web_jobs.delete().where(web_jobs.c.job_id.not_in(sa.select(newest))))
