"""Who runs the Monte Carlo's blocks: this process, every core of this machine, or a Dask cluster.

Forecasts (forecast/intervals.py) and projections (projection/simulate.py) split their paths into
blocks whose random streams are spawned per block from one SeedSequence, and hand a runner the
work of one block (a partial of module-level functions, so it pickles) with the blocks' indexes:
`runner(work, blocks)` must return `[work(block) for block in blocks]`, in that order. Where a
block runs changes nothing, so the same seed gives the same figures with every executor and any
number of workers.

- `serial`: every block here, one after another (the engines' own default).
- `local_runner(workers)`: a pool of processes on this machine (spawn, not fork: a forked child
  would inherit the parent's open store connections and threads), started on the first work big
  enough to repay its start-up and kept for the runner's life, so a backtest's twelve replays
  start it once.
- `dask_runner(scheduler)`: the blocks as tasks on a Dask cluster (`distributed.Client`). Dask is
  imported only here: `carecast --help` and the local executor never load it.

Runners that hold processes or a connection are context managers; `close()` ends them.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Protocol, Self, TypeVar

from carecast.errors import CarecastError, UsageError

if TYPE_CHECKING:
    from types import TracebackType

    from distributed import Client

T = TypeVar("T")
EXECUTORS = ("local", "dask")
# How long to keep trying a scheduler before saying it cannot be reached: long enough for a
# cluster on the other side of a network, short enough that a typo is answered promptly.
CONNECT_SECONDS = 10.0
# The local pool starts only for work that would take at least this long in one process. Work
# W split over n processes that take S to start ends sooner only when W/n + S < W: W > 2S for
# two, and S was 1.6 s on this 2-core machine (bench/executors.py's neighbours holding it busy).
POOL_WORTH_SECONDS = 3.0


class Runner(Protocol):
    """Runs `work` on each block and returns the results in the blocks' order."""

    def __call__(self, work: Callable[[int], T], blocks: Sequence[int], /) -> list[T]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


class _Closing:
    def close(self) -> None:
        """Nothing to end by default."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class Serial(_Closing):
    """Every block in this process, one after another."""

    def __call__(self, work: Callable[[int], T], blocks: Sequence[int], /) -> list[T]:
        return [work(block) for block in blocks]


def available_cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than exist)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _run_blocks(work: Callable[[int], T], blocks: Sequence[int]) -> list[T]:
    return [work(block) for block in blocks]


class LocalRunner(_Closing):
    """The blocks on `workers` processes of this machine.

    Starting the processes costs seconds (each spawned process imports numpy and the engines:
    1.6 s on this busy 2-core machine, more when the parent's own main module is heavy), and a
    small council's forecast samples all its paths in a tenth of that. So, until the pool is
    running, the first block runs here and is timed: when the blocks left would take less than
    `worth_seconds` here, they run here too. Either way every block draws from its own stream:
    the figures are the same."""

    def __init__(self, workers: int, worth_seconds: float = POOL_WORTH_SECONDS) -> None:
        self.workers = workers
        self.worth_seconds = worth_seconds
        self._pool: ProcessPoolExecutor | None = None

    def __call__(self, work: Callable[[int], T], blocks: Sequence[int], /) -> list[T]:
        blocks = list(blocks)
        if self.workers == 1 or len(blocks) <= 1:
            return _run_blocks(work, blocks)  # a process would only add its start-up
        if self._pool is not None or self.worth_seconds <= 0:
            return self._spread(work, blocks)
        began = time.perf_counter()
        first = work(blocks[0])
        left = (time.perf_counter() - began) * (len(blocks) - 1)
        if left < self.worth_seconds:
            return [first, *_run_blocks(work, blocks[1:])]
        return [first, *self._spread(work, blocks[1:])]

    def _spread(self, work: Callable[[int], T], blocks: list[int]) -> list[T]:
        """The blocks on the pool, in order. One task per worker, each a run of consecutive
        blocks: the work (a fitted model, perhaps megabytes) is pickled once per worker."""
        if len(blocks) <= 1:
            return _run_blocks(work, blocks)
        share = math.ceil(len(blocks) / self.workers)
        runs = [blocks[i : i + share] for i in range(0, len(blocks), share)]
        pool = self._started()
        futures = [pool.submit(_run_blocks, work, run) for run in runs]
        return [result for future in futures for result in future.result()]

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing

            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def local_runner(
    workers: int | None = None, worth_seconds: float = POOL_WORTH_SECONDS
) -> LocalRunner:
    """A runner on `workers` processes of this machine (default: every core it may use) for
    work that would take `worth_seconds` or more here (0: always on the processes)."""
    if workers is not None and workers < 1:
        raise UsageError(f"--workers {workers}: give 1 or more worker processes")
    return LocalRunner(workers or available_cores(), worth_seconds)


def _apply(work: Callable[[int], T], block: int) -> T:
    return work(block)


class ClusterLost(CarecastError):
    """The Dask scheduler or its workers went away mid-run (exit 1: nothing was stored)."""


class DaskRunner(_Closing):
    """The blocks as tasks on the Dask cluster `client` is connected to."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def __call__(self, work: Callable[[int], T], blocks: Sequence[int], /) -> list[T]:
        # The work goes to the cluster once and every block's task refers to it; each task is
        # impure (pure=False) so that Dask never returns a cached result of an earlier run.
        from distributed import KilledWorker

        try:
            [shared] = self.client.scatter([work], hash=False)
            futures = [self.client.submit(_apply, shared, block, pure=False) for block in blocks]
            results: list[T] = self.client.gather(futures)
        except CarecastError:
            raise  # the work's own refusal, raised again here as the one place prints it
        except (OSError, TimeoutError, KilledWorker, asyncio.CancelledError) as exc:
            # OSError covers distributed's CommClosedError: the scheduler or a worker went away
            raise ClusterLost(
                f"the Dask cluster was lost during the run ({_reason(exc)}): nothing was "
                "stored; run the command again, or use --executor local"
            ) from None
        return results

    def close(self) -> None:
        self.client.close()


def dask_runner(scheduler: str, timeout: float | None = None) -> DaskRunner:
    """A runner on the Dask cluster whose scheduler listens at `scheduler` (tcp://HOST:PORT).

    Its workers must be able to import carecast (the same version as here)."""
    from distributed import Client

    seconds = CONNECT_SECONDS if timeout is None else timeout
    try:
        client = Client(scheduler, timeout=seconds, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(
            f"could not reach the Dask scheduler at {scheduler}: {_reason(exc)}; start one with "
            "`dask scheduler` (and workers with `dask worker ADDRESS`) or use --executor local"
        ) from None
    return DaskRunner(client)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def make_runner(executor: str, scheduler: str | None = None, workers: int | None = None) -> Runner:
    """The runner that `--executor`, `--scheduler` and `--workers` ask for."""
    if executor == "local":
        if scheduler is not None:
            raise UsageError("--scheduler is the Dask scheduler's address: add --executor dask")
        return local_runner(workers)
    if executor == "dask":
        if scheduler is None:
            raise UsageError(
                "--executor dask needs --scheduler ADDRESS, the Dask scheduler's address "
                "(e.g. tcp://10.0.0.5:8786)"
            )
        if workers is not None:
            raise UsageError(
                "--workers counts local processes; a Dask cluster has the workers started "
                "with it: leave out --workers"
            )
        return dask_runner(scheduler)
    raise UsageError(f"--executor {executor}: choose one of {', '.join(EXECUTORS)}")


serial = Serial()
