"""Benchmark of the web application under concurrency, on the demo council.

    .venv/bin/python bench/web.py [--store DIR] [--clients 20] [--requests 25]

Builds the demo council in a temporary folder (or reuses the store in DIR, building it there the
first time), adds a user, starts `carecast serve` in a subprocess on a free loopback port, signs in
as a browser does, and measures:

- one request at a time: the median of 50 requests of the dashboard and of a line's placements;
- `--clients` concurrent clients, each making `--requests` requests one after another, of the
  dashboard and then of the line page: p50, p95 and the slowest, requests per second, errors.

It prints a markdown table. The target (issue 14) is p95 < 200 ms with no errors; a benchmark
reports, it never fails for slowness (tests assert behaviour), so it exits non-zero only when it
cannot run at all.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import httpx2

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.domain.codes import ServiceLine
from carecast.services import build_demo
from carecast.services.accounts import add_user, list_accounts
from carecast.services.dashboard import dashboard, line_placements

USER = "bench-analyst"  # an analyst: the line page shows child-level rows
PASSWORD = "a long enough bench passphrase"
SINGLE = 50
STARTUP_SECONDS = 60.0


@dataclass(frozen=True)
class Run:
    """The latencies (seconds) of one measurement, its wall time and its failed requests."""

    latencies: list[float]
    seconds: float
    errors: int
    server_cpu: float | None = None  # seconds of CPU the server used for the run, where known

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def demo_store(folder: Path) -> Settings:
    """The demo council's store in `folder`, built there unless it already is."""
    settings = Settings(database_url=f"sqlite:///{folder / 'carecast.db'}", cookie_secure=False)
    if not (folder / "carecast.db").exists():
        started = time.perf_counter()
        build_demo(settings, folder)
        print(f"built the demo council in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if USER not in {u.name for u in list_accounts(settings)}:
        add_user(settings, USER, Role.ANALYST, PASSWORD, actor="bench", source="bench/web.py")
    return settings


def busiest_line(settings: Settings) -> tuple[int, str]:
    """The latest snapshot, and its placement line with the most placements (the heaviest page)."""
    snapshot_id = dashboard(settings).snapshot.snapshot_id
    placed = {
        line: len(line_placements(settings, snapshot_id, line).rows)
        for line in ServiceLine
        if line.is_placement
    }
    return snapshot_id, max(placed, key=lambda line: placed[line]).value


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float | None:
    """The CPU time (user and system) process `pid` has used, where /proc tells (Linux):
    steadier than wall time on a shared machine, where other work stretches every latency."""
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return None
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_server_cpu(pid: int, measure: Callable[[], Run]) -> Run:
    before = cpu_seconds(pid)
    run = measure()
    after = cpu_seconds(pid)
    used = None if before is None or after is None else after - before
    return replace(run, server_cpu=used)


@contextmanager
def serving(settings: Settings, port: int) -> Iterator[tuple[str, int]]:
    """`carecast serve` on `port` (one worker, as it starts by default) until the block ends."""
    environment = os.environ | {"CARECAST_COOKIE_SECURE": "false"}
    command = [sys.executable, "-m", "carecast", "serve", "--port", str(port)]
    command += ["--database-url", settings.database_url]
    # Its log goes to a file: a pipe nobody reads fills up and stops the server mid-run.
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below, with the server
    server = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if server.poll() is not None:
                log.seek(0)
                errors = log.read().decode(errors="replace")
                raise SystemExit(f"carecast serve stopped before answering:\n{errors}")
            try:
                if httpx2.get(f"{base}/login", timeout=1.0).status_code == 200:
                    break
            except httpx2.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit("carecast serve did not answer within a minute") from None
                time.sleep(0.2)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def session_cookies(base: str) -> httpx2.Cookies:
    """Sign in as a browser does: the form's CSRF token, then the session cookie."""
    with httpx2.Client(base_url=base) as browser:
        form = browser.get("/login")
        found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        if found is None:
            raise SystemExit("the sign-in page has no CSRF token")
        data = {"name": USER, "password": PASSWORD, "csrf_token": found.group(1)}
        signed = browser.post("/login", data=data)
        if signed.status_code != 303:
            raise SystemExit(f"signing in was refused ({signed.status_code})")
        return httpx2.Cookies(browser.cookies)


def one_at_a_time(base: str, cookies: httpx2.Cookies, path: str) -> Run:
    latencies, errors = [], 0
    with httpx2.Client(base_url=base, cookies=cookies) as browser:
        for _ in range(5):  # warm up: first requests compile templates and fill pools
            browser.get(path)
        started = time.perf_counter()
        for _ in range(SINGLE):
            asked = time.perf_counter()
            response = browser.get(path)
            latencies.append(time.perf_counter() - asked)
            errors += response.status_code != 200
    return Run(latencies, time.perf_counter() - started, errors)


async def _client(
    base: str, cookies: httpx2.Cookies, path: str, requests: int, latencies: list[float]
) -> int:
    errors = 0
    async with httpx2.AsyncClient(base_url=base, cookies=cookies, timeout=60.0) as browser:
        for _ in range(requests):
            asked = time.perf_counter()
            try:
                response = await browser.get(path)
                errors += response.status_code != 200
            except httpx2.TransportError:
                errors += 1
            latencies.append(time.perf_counter() - asked)
    return errors


async def _together(
    base: str, cookies: httpx2.Cookies, path: str, clients: int, requests: int
) -> Run:
    latencies: list[float] = []
    started = time.perf_counter()
    errors = await asyncio.gather(
        *(_client(base, cookies, path, requests, latencies) for _ in range(clients))
    )
    return Run(latencies, time.perf_counter() - started, sum(errors))


def concurrently(base: str, cookies: httpx2.Cookies, path: str, clients: int, requests: int) -> Run:
    return asyncio.run(_together(base, cookies, path, clients, requests))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="reuse (or build once) the demo store here")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25, help="requests per client")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = options.store or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        settings = demo_store(folder)
        snapshot_id, line = busiest_line(settings)
        pages = {"dashboard": "/dashboard", "line": f"/snapshots/{snapshot_id}/lines/{line}"}
        with serving(settings, free_port()) as (base, pid):
            cookies = session_cookies(base)
            rows = []
            for name, path in pages.items():
                print(f"measuring {name} ({path})", file=sys.stderr, flush=True)
                single = with_server_cpu(pid, partial(one_at_a_time, base, cookies, path))
                together = partial(concurrently, base, cookies, path)
                many = with_server_cpu(pid, partial(together, options.clients, options.requests))
                rows.append((name, path, single, many))
    clients = options.clients
    print(
        f"| page | one at a time: median ms | {clients} clients: p50 ms | p95 ms | max ms ", end=""
    )
    print("| requests/s | server CPU ms/request | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, path, single, many in rows:
        median = ms(statistics.median(single.latencies))
        spread = f"{ms(many.quantile(0.5))} | {ms(many.quantile(0.95))} | {ms(max(many.latencies))}"
        rate = len(many.latencies) / many.seconds
        errors = single.errors + many.errors
        cpu = "—" if many.server_cpu is None else ms(many.server_cpu / len(many.latencies))
        print(f"| {name} (`{path}`) | {median} | {spread} | {rate:.0f} | {cpu} | {errors} |")
    print(
        f"\n{clients} clients × {options.requests} requests each, one uvicorn worker, SQLite, "
        f"loopback, {os.cpu_count()} CPUs; client and server share them."
    )


if __name__ == "__main__":
    main()
