"""The web application's background runs, kept in the store so that any worker process can show
any run: the process that runs one writes it at each change of state (and as it makes progress),
and a page asking for it reads it back, whichever process answers.

A run is kept whole, pickled: what its page shows may be carecast's own objects (a backtest, a
refusal with its located problems), written and read by carecast alone. Only the newest `KEPT`
runs are kept.
"""

from __future__ import annotations

import pickle
from datetime import datetime
from typing import Any

from carecast.config import Settings
from carecast.services.setup import store_transaction
from carecast.store import web_jobs as store

KEPT = 200


def keep_job(
    settings: Settings,
    job_id: str,
    *,
    kind: str,
    owner: str,
    state: str,
    started_at: datetime,
    run: Any,
    new: bool = False,
) -> None:
    payload = pickle.dumps(run, protocol=pickle.HIGHEST_PROTOCOL)
    with store_transaction(settings) as connection:
        store.save_job(
            connection,
            job_id,
            kind=kind,
            owner=owner,
            state=state,
            started_at=started_at,
            payload=payload,
        )
        if new:
            store.forget_old_jobs(connection, KEPT)


def _unpickled(payload: bytes | None) -> Any | None:
    """The run kept, or None when there is none or it was kept by another version of carecast
    whose types this one cannot read back (it is then as good as forgotten)."""
    if payload is None:
        return None
    try:
        return pickle.loads(payload)
    except (pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError):
        return None


def kept_job(settings: Settings, job_id: str) -> Any | None:
    with store_transaction(settings) as connection:
        return _unpickled(store.job_payload(connection, job_id))


def latest_job(settings: Settings, kind: str) -> Any | None:
    with store_transaction(settings) as connection:
        job_id = store.latest_job_id(connection, kind)
        return _unpickled(None if job_id is None else store.job_payload(connection, job_id))


def runs_ahead(settings: Settings, started_at: datetime, job_id: str) -> int:
    with store_transaction(settings) as connection:
        return store.unfinished_before(connection, started_at, job_id)
