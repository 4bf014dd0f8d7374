"""Long work (a projection, a scenario, a close, a report) run in the background, one at a time
in each worker process, by a thread the application owns; pages start a job and then ask for it
by its id until it is done.

A job keeps only what its page shows (the JSON of the result), never the simulated paths. The
process running a job writes it to the store at each change (services/web_jobs.py), so that with
several worker processes a poll answered by another worker still finds it; the newest runs are
kept there, older ones forgotten.

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

from fastapi import Request, Response

from carecast.config import Settings
from carecast.errors import CarecastError, NotFound
from carecast.services.web_jobs import keep_job, kept_job, latest_job, runs_ahead
from carecast.web.errors import UNEXPECTED
from carecast.web.pages import render

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
    compete for the machine's cores with the pages being served. The jobs this process runs are
    also held here, live; any other is read from the store."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="carecast-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, kind: str, owner: str, request: dict[str, Any], work: Work) -> Job:
        job = Job(secrets.token_urlsafe(16), kind, owner, request)
        with self._lock:
            self._jobs[job.job_id] = job
            while len(self._jobs) > KEPT:
                self._jobs.popitem(last=False)
        self.save(job, new=True)
        self._executor.submit(self._run, job, work)
        return job

    def save(self, job: Job, *, new: bool = False) -> None:
        """Write the job as it stands (its state, its progress) for every worker to read."""
        keep_job(
            self._settings,
            job.job_id,
            kind=job.kind,
            owner=job.owner,
            state=job.state.value,
            started_at=job.started_at,
            run=job,
            new=new,
        )

    def _run(self, job: Job, work: Work) -> None:
        job.state = JobState.RUNNING
        try:
            self.save(job)
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
            self._keep_finished(job)

    def _keep_finished(self, job: Job) -> None:
        try:
            self.save(job)
        except Exception as error:  # the store unwritable: this process still shows the run
            LOG.error("a finished %s job could not be kept: %s", job.kind, type(error).__name__)

    def get(self, kind: str, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            found = kept_job(self._settings, job_id)
            job = found if isinstance(found, Job) else None
        if job is None or job.kind != kind:
            raise NotFound(
                f"there is no {kind} run {job_id[:40]} here: the newest runs are kept, older "
                "ones forgotten; start it again"
            )
        return job

    def latest(self, kind: str) -> Job | None:
        found = latest_job(self._settings, kind)
        if not isinstance(found, Job):
            return None
        with self._lock:  # a run of this process: its live copy
            return self._jobs.get(found.job_id, found)

    def waiting_before(self, job: Job) -> int:
        """How many unfinished jobs (of any worker) were started before `job`."""
        return runs_ahead(self._settings, job.started_at, job.job_id)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def jobs_of(request: Request) -> Jobs:
    jobs: Jobs = request.app.state.jobs
    return jobs


async def form_values(request: Request) -> dict[str, str]:
    """The posted form's text fields (the CSRF check has read it already: Starlette keeps it)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def finished_panel(
    request: Request,
    kind: str,
    job_id: str,
    template: str,
    extra: Callable[[Job], dict[str, Any]] | None = None,
) -> Response:
    """A run page's poll: nothing (204: htmx swaps nothing) until the run is done, then its
    panel, rendered from `template` with what `extra` adds for it."""
    job = jobs_of(request).get(kind, job_id)
    if not job.finished:
        return Response(status_code=204)
    context = {"job": job, "ahead": 0, "fragment": True, **(extra(job) if extra else {})}
    return render(request, template, context)
