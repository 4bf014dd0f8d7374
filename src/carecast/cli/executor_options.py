"""`--executor`, `--scheduler` and `--workers`: where `forecast`, `backtest` and `project` run
their simulated paths (carecast/executors.py). The same seed gives the same figures with either
executor and any number of workers."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from carecast.executors import Runner


class Executor(StrEnum):
    """carecast/executors.py's EXECUTORS (that module is not imported for --help)."""

    LOCAL = "local"
    DASK = "dask"


ExecutorName = Annotated[
    Executor,
    typer.Option(
        "--executor",
        help="Where the simulated paths run: 'local' on this machine's cores, or 'dask' on the "
        "Dask cluster at --scheduler (its workers need carecast installed). Same seed, same "
        "figures, either way.",
    ),
]
SchedulerAddress = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="With --executor dask: the Dask scheduler's address, e.g. tcp://10.0.0.5:8786.",
        show_default=False,
    ),
]
Workers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="With --executor local: how many processes run the paths (default: every core; "
        "small runs stay in one process, where starting more would cost more than it saves).",
        show_default=False,
    ),
]


def open_runner(executor: Executor, scheduler: str | None, workers: int | None) -> Runner:
    """The runner the options ask for; use it in a `with` block so its processes end."""
    from carecast.executors import make_runner

    return make_runner(executor.value, scheduler, workers)
