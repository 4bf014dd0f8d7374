"""Benchmark of the web application under concurrency, on the demo council.

    .venv/bin/python bench/web.py [--store DIR] [--clients 50] [--seconds 60] [--workers 2]
                                  [--postgres-url URL]

Builds the demo council in a temporary folder (or reuses the store in DIR, building it there the
first time) — or, with `--postgres-url` (a server carecast may create a database on), in a
throwaway PostgreSQL database — adds an analyst with an API token, starts `carecast serve` with
`--workers` in a subprocess on a free loopback port, signs in as a browser does, and measures:

- one request at a time: the median of 50 requests of each page;
- `--clients` concurrent clients for `--seconds`, each asking for the dashboard, a line's
  placements (the drill-down) and the snapshot's JSON under /api (by its token) in turn, each
  request sent as soon as the last is answered (a closed loop, no pause): per page, p50, p95 and
  the slowest, requests per second, errors; and the CPU a request of the server and the clients.

The clients share the machine's cores with the server, so they are as light as a client can be
(`Connection`: one kept-alive HTTP/1.1 connection each, its requests built once).

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
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import httpx2
from pg_scratch import postgres_database

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.domain.codes import ServiceLine
from carecast.services import build_demo
from carecast.services.accounts import add_user, list_accounts
from carecast.services.api_tokens import issue_token
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


def demo_store(folder: Path, database_url: str | None = None) -> Settings:
    """The demo council's store (in `folder`, or at `database_url`), built unless it already is."""
    url = database_url or f"sqlite:///{folder / 'carecast.db'}"
    settings = Settings(database_url=url, cookie_secure=False)
    if database_url is not None or not (folder / "carecast.db").exists():
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


@contextmanager
def serving(settings: Settings, port: int, workers: int) -> Iterator[tuple[str, int]]:
    """`carecast serve` on `port` with `workers` until the block ends."""
    environment = os.environ | {"CARECAST_COOKIE_SECURE": "false"}
    command = [sys.executable, "-m", "carecast", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
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


def server_cpu(pid: int) -> float | None:
    """CPU seconds of the server and its worker processes (uvicorn forks one per worker)."""
    total = cpu_seconds(pid)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if total is None or not children.exists():
        return total
    for child in children.read_text().split():
        used = cpu_seconds(int(child))
        total += used or 0.0
    return total


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    headers: dict[str, str]


class Connection:
    """One kept-alive HTTP/1.1 connection, asking GETs whose bytes are built once: the clients'
    own CPU is taken from the same two cores as the server's, and a general client (httpx spends
    0.7 ms of CPU a request here, more than the server's 0.6 ms) would measure itself as much as
    the server (0.06 ms a request here)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def status(self, request: bytes) -> int:
        """Send `request`, read the whole response, and give its status; reconnects as needed."""
        if self.streams is None:
            self.streams = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.streams
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        headers = head.lower()
        found = LENGTH.search(headers)
        if found is not None:
            await reader.readexactly(int(found.group(1)))
        elif b"transfer-encoding: chunked" in headers:
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await reader.readexactly(size + 2)
            await reader.readuntil(b"\r\n")  # no trailers: the empty line ending the body
        else:
            raise ConnectionError("a response with neither a length nor chunks")
        if b"connection: close" in headers:
            self.close()
        return status

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


LENGTH = re.compile(rb"\r\ncontent-length: *(\d+)")
FAILURES = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)


def request_bytes(page: Page, cookies: httpx2.Cookies) -> bytes:
    """The GET of `page` as sent on the wire, signed in by the session cookie or the token."""
    lines = [f"GET {page.path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in page.headers.items()]
    if not page.headers:
        lines.append("Cookie: " + "; ".join(f"{n}={v}" for n, v in cookies.items()))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _ask(connection: Connection, request: bytes) -> bool:
    """Whether the request failed: an answer other than 200, or a broken connection."""
    try:
        return await connection.status(request) != 200
    except FAILURES:
        connection.close()
        return True


async def _one_at_a_time(port: int, request: bytes) -> Run:
    latencies, errors = [], 0
    connection = Connection(port)
    for _ in range(5):  # warm up: first requests compile templates and fill pools
        await _ask(connection, request)
    started = time.perf_counter()
    for _ in range(SINGLE):
        asked = time.perf_counter()
        errors += await _ask(connection, request)
        latencies.append(time.perf_counter() - asked)
    connection.close()
    return Run(latencies, time.perf_counter() - started, errors)


async def _client(
    port: int, requests: list[bytes], *, until: float, first: int, runs: list[Run]
) -> None:
    """Ask for the pages in turn (starting at `first`, so clients spread over them) until
    `until`, each request sent when the last has been answered (a closed loop, no pause)."""
    turn = first
    connection = Connection(port)
    clock = time.perf_counter
    while (asked := clock()) < until:
        index = turn % len(requests)
        turn += 1
        failed = await _ask(connection, requests[index])
        run = runs[index]
        run.latencies.append(clock() - asked)
        if failed:
            runs[index] = replace(run, errors=run.errors + 1)
    connection.close()


async def _together(port: int, requests: list[bytes], clients: int, seconds: float) -> list[Run]:
    runs = [Run([], seconds, 0) for _ in requests]
    until = time.perf_counter() + seconds
    await asyncio.gather(
        *(_client(port, requests, until=until, first=i, runs=runs) for i in range(clients))
    )
    return runs


@dataclass(frozen=True)
class Cpu:
    """CPU seconds used during the concurrent run: the server's (where known) and the clients'."""

    server: float | None
    clients: float


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def measure(
    settings: Settings, options: argparse.Namespace
) -> tuple[list[tuple[Page, Run]], dict[str, Run], Cpu]:
    snapshot_id, line = busiest_line(settings)
    token = issue_token(
        settings, USER, f"bench-{uuid.uuid4().hex[:8]}", actor="bench", source="bench/web.py"
    )
    pages = [
        Page("dashboard", "/dashboard", {}),
        Page("drill-down", f"/snapshots/{snapshot_id}/lines/{line}", {}),
        Page("api", f"/api/snapshots/{snapshot_id}", {"Authorization": f"Bearer {token}"}),
    ]
    port = free_port()
    with serving(settings, port, options.workers) as (base, pid):
        cookies = session_cookies(base)
        requests = [request_bytes(page, cookies) for page in pages]
        singles = []
        for page, request in zip(pages, requests, strict=True):
            print(f"measuring {page.name} ({page.path}) alone", file=sys.stderr, flush=True)
            singles.append((page, asyncio.run(_one_at_a_time(port, request))))
        print(f"{options.clients} clients for {options.seconds:.0f} s", file=sys.stderr, flush=True)
        before, client_before = server_cpu(pid), time.process_time()
        together = asyncio.run(_together(port, requests, options.clients, options.seconds))
        after, client = server_cpu(pid), time.process_time() - client_before
        runs = {page.name: run for page, run in zip(pages, together, strict=True)}
    cpu = None if before is None or after is None else after - before
    return singles, runs, Cpu(cpu, client)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="reuse (or build once) the demo store here")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the clients ask")
    parser.add_argument("--workers", type=int, default=2, help="carecast serve --workers")
    parser.add_argument("--postgres-url", help="a PostgreSQL server to build the demo on instead")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = options.store or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        if options.postgres_url:
            with postgres_database(options.postgres_url) as url:
                singles, runs, cpu = measure(demo_store(folder, url), options)
            store = "PostgreSQL"
        else:
            singles, runs, cpu = measure(demo_store(folder), options)
            store = "SQLite"
    clients = options.clients
    print(
        f"| page | one at a time: median ms | {clients} clients: p50 ms | p95 ms | max ms ", end=""
    )
    print("| requests/s | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for page, single in singles:
        many = runs[page.name]
        median = ms(statistics.median(single.latencies))
        spread = f"{ms(many.quantile(0.5))} | {ms(many.quantile(0.95))} | {ms(max(many.latencies))}"
        rate = len(many.latencies) / many.seconds
        errors = single.errors + many.errors
        print(f"| {page.name} (`{page.path}`) | {median} | {spread} | {rate:.0f} | {errors} |")
    asked = sum(len(r.latencies) for r in runs.values())
    per = "—" if cpu.server is None else f"{cpu.server / asked * 1000:.2f} ms"
    clients_per = f"{cpu.clients / asked * 1000:.2f} ms"
    print(
        f"\n{clients} clients for {options.seconds:.0f} s, the three pages in turn; "
        f"{options.workers} uvicorn worker(s), {store}, loopback, {os.cpu_count()} CPUs shared by "
        f"clients and server; CPU a request: server {per}, clients {clients_per}."
    )


if __name__ == "__main__":
    main()
