"""Long work (a projection, a scenario) run in the background, one at a time, by a thread the
application owns; pages start a job and then ask for it by its id until it is done.

A job keeps only what its page shows (the JSON of the result), never the simulated paths. Jobs
live in the process that started them: the newest `KEPT` of them are remembered, older ones are
forgotten. (With several worker processes, a poll that reaches another worker finds no such run:
keeping runs in the store, for every worker to answer, needs a service of its own.)

An unexpected failure is logged by its type and stack without its message (which may quote
data), as the web application's error handler logs one.
"""

from __future__ import annotations

import logging
import secrets
import threading
import traceback
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from fastapi import Request

from carecast.errors import CarecastError, NotFound
from carecast.web.errors import UNEXPECTED

LOG = logging.getLogger("carecast.web.jobs")
KEPT = 50


class JobState(StrEnum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class Job:
    """One piece of background work: who asked for it, what it was asked with, how it went."""

    job_id: str
    kind: str  # "projection" or "scenario": the page that shows it
    owner: str
    request: dict[str, Any]  # what the form asked for, as shown beside the result
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    state: JobState = JobState.WAITING
    result: dict[str, Any] | None = None
    error: CarecastError | None = None
    failure: str | None = None  # the message shown when the work failed unexpectedly
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)


Work = Callable[[], dict[str, Any]]


class Jobs:
    """The application's background jobs: a single worker thread, so that two projections never
    compete for the machine's cores with the pages being served."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="carecast-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, kind: str, owner: str, request: dict[str, Any], work: Work) -> Job:
        job = Job(secrets.token_urlsafe(16), kind, owner, request)
        with self._lock:
            self._jobs[job.job_id] = job
            while len(self._jobs) > KEPT:
                self._jobs.popitem(last=False)
        self._executor.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Work) -> None:
        job.state = JobState.RUNNING
        try:
            job.result = work()
            job.state = JobState.DONE
        except CarecastError as refused:
            job.error = refused
            job.state = JobState.FAILED
        except Exception as error:  # a background failure is shown on its page, never lost
            stack = "".join(traceback.format_tb(error.__traceback__))
            LOG.error(
                "%s job failed with %s (message withheld: it may quote data)\n%s",
                job.kind,
                type(error).__name__,
                stack,
            )
            job.failure = UNEXPECTED
            job.state = JobState.FAILED
        finally:
            job.finished_at = datetime.now(UTC)

    def get(self, kind: str, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.kind != kind:
            raise NotFound(
                f"there is no {kind} run {job_id[:40]} here: runs are kept by the server process "
                f"that started them, and forgotten when it restarts or after {KEPT} newer runs; "
                "start it again"
            )
        return job

    def latest(self, kind: str) -> Job | None:
        with self._lock:
            found = [job for job in self._jobs.values() if job.kind == kind]
        return found[-1] if found else None

    def waiting_before(self, job: Job) -> int:
        """How many unfinished jobs were started before `job`."""
        with self._lock:
            earlier = list(self._jobs.values())
        ahead = 0
        for other in earlier:
            if other is job:
                break
            ahead += not other.finished
        return ahead

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def jobs_of(request: Request) -> Jobs:
    jobs: Jobs = request.app.state.jobs
    return jobs


async def form_values(request: Request) -> dict[str, str]:
    """The posted form's text fields (the CSRF check has read it already: Starlette keeps it)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}
