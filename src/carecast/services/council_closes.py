"""The monthly close of every council in a pooled store: one forecast snapshot each.

A regional or national store holds many councils; closing them one `carecast --council X
forecast` at a time pays Python's start-up and the store's opening for each. Here each council is
forecast exactly as `run_forecast` forecasts it (its own readiness checks, its own seeded paths,
its own snapshot), in a few processes side by side, and a council whose data cannot be closed is
reported with its reason while the others are still closed. The seed belongs to each council's
forecast, so the figures are the same whichever process, and however many, ran it.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date

from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.domain.provenance import ForecastSnapshot
from carecast.errors import CarecastError
from carecast.forecast.assumptions import Assumptions
from carecast.forecast.intervals import Runner, serial
from carecast.services.collector import loaded_objects_left_out
from carecast.services.forecasting import run_forecast
from carecast.services.setup import store_transaction
from carecast.store.councils import named_councils


@dataclass(frozen=True)
class CouncilClose:
    """One council's close: its snapshot, or why it was refused (nothing stored for it)."""

    la_code: str
    name: str
    snapshot: ForecastSnapshot | None = None
    refused: str | None = None


@dataclass(frozen=True)
class _Request:
    settings: Settings
    name: str
    period: Period | None
    known_on: date | None
    assumptions: Assumptions | None
    allow_incomplete: bool


def _close(request: _Request, runner: Runner = serial) -> CouncilClose:
    code = request.settings.council or ""
    try:
        snapshot = run_forecast(
            request.settings,
            request.period,
            request.known_on,
            request.assumptions,
            allow_incomplete=request.allow_incomplete,
            runner=runner,
        )
    except CarecastError as refusal:  # one council's data cannot be closed: the rest still can
        return CouncilClose(code, request.name, refused=refusal.message)
    return CouncilClose(code, request.name, snapshot=snapshot)


def close_councils(
    settings: Settings,
    codes: Sequence[str] | None = None,
    period: Period | None = None,
    known_on: date | None = None,
    assumptions: Assumptions | None = None,
    *,
    allow_incomplete: bool = False,
    processes: int = 1,
    runner: Runner = serial,
) -> list[CouncilClose]:
    """Forecast each council named (default: every council in the store), in the store's order.

    With `processes` > 1 the councils are shared among that many processes, each running its
    councils' paths itself; otherwise they are closed one after another with `runner` running
    the paths (a Dask cluster, say)."""
    with store_transaction(settings) as connection:
        wanted = named_councils(connection, list(codes) if codes else None, "nothing was forecast")
    requests = [
        _Request(
            settings.model_copy(update={"council": code}),
            name,
            period,
            known_on,
            assumptions,
            allow_incomplete,
        )
        for code, name in wanted.items()
    ]
    if processes <= 1 or len(requests) <= 1:
        with loaded_objects_left_out():
            return [_close(request, runner) for request in requests]
    # spawned, not forked: a fork would copy the parent's engine pool and its locks mid-use
    spawn = multiprocessing.get_context("spawn")
    workers = min(processes, len(requests))
    # a worker only closes councils: what it has loaded before its first stays for its life
    with ProcessPoolExecutor(max_workers=workers, mp_context=spawn, initializer=gc.freeze) as pool:
        # one council at a time to each process as it comes free: councils differ in size
        return list(pool.map(_close, requests, chunksize=1))


__all__ = ["CouncilClose", "close_councils"]
