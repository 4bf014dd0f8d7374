"""The browser tests' world: the demo council built once, a user of every role, the real
`carecast serve` over it on a free loopback port, and one headless Chromium for the session.

Chromium is Debian's (`make test` installs the `chromium` package through
scripts/system-deps.sh); Playwright drives it by its path and downloads no browser of its own. On
a developer's machine without it the tests skip and say why; on CI (`CI` set) they fail instead,
since there a missing browser is a broken install, not a choice.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)

from carecast.config import Settings
from carecast.demo import generate_demo_files
from carecast.domain.accounts import Role
from carecast.domain.periods import Period
from carecast.services import import_paths, init_store, run_forecast
from carecast.services.demo import closes_to_date
from tests.webhelp import PASSWORD, add_role_users

DESKTOP = ViewportSize(width=1366, height=768)
PHONE = ViewportSize(width=390, height=844)
SCREENSHOTS = Path(__file__).parent / "screenshots"  # ignored by git; written on every run
STARTUP_SECONDS = 60  # a busy two-core CI machine starts uvicorn in a few seconds
WAIT_MS = 20_000  # the longest a page, a click or an assertion may take


@dataclass(frozen=True)
class Site:
    """The running application: where it listens, the store behind it, and the folder holding
    the demo's files (demo/extracts/…) and the server's log."""

    url: str
    settings: Settings
    folder: Path
    log: Path


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("/usr/bin/chromium")
    if found:
        return found
    reason = "Debian's chromium is not installed (make test installs it: scripts/system-deps.sh)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; on CI the browser tests must run")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_serving(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"carecast serve stopped with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(f"carecast serve did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}")


def build_demo_council(settings: Settings, folder: Path) -> None:
    """The demo council as `carecast demo` builds it, through the same services: its files
    generated, imported step by step, and every close of 2018-19 to date (April to September
    2018) run as known at that close. It leaves out the committee report `carecast demo` also
    writes, half of the demo's time: the reports test generates its own."""
    manifest = generate_demo_files(folder / "demo")
    init_store(settings, manifest.council_name, manifest.la_code)
    for step in manifest.steps:
        import_paths(settings, list(step.paths), step.as_of)
    for close in closes_to_date(Period.parse(manifest.current_period)):
        run_forecast(settings, close)


@pytest.fixture(scope="session")
def chromium() -> str:
    return chromium_path()


@pytest.fixture(scope="session")
def site(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo council with a user of every role, served by `carecast serve` in its own
    process, as a council would run it on one machine."""
    del chromium  # asked for first, so that no demo is built for a browser that is not there
    folder = tmp_path_factory.mktemp("browser-site")
    settings = Settings(database_url=f"sqlite:///{folder / 'carecast.db'}", cookie_secure=False)
    build_demo_council(settings, folder)
    add_role_users(settings)
    port = free_port()
    log = folder / "serve.log"
    env = {
        **os.environ,
        "CARECAST_DATABASE_URL": settings.database_url,
        # Plain HTTP on loopback: the documented setting for one person on their machine.
        "CARECAST_COOKIE_SECURE": "false",
    }
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "carecast", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, server, log)
        yield Site(url, settings, folder, log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Browser]:
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=["--no-sandbox"],  # CI runs as root, where Chromium's sandbox cannot start
        )
        yield launched
        launched.close()


def sign_in(page: Page, name: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a person does, and wait to land past it."""
    page.goto("/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture(scope="session")
def signed_in_states(site: Site, browser: Browser) -> dict[Role, str]:
    """Each role's session cookie, signed in once through the form and saved, so that each test
    starts signed in without paying for a password hash."""
    states: dict[Role, str] = {}
    folder = site.folder
    for role in Role:
        context = browser.new_context(base_url=site.url)
        page = context.new_page()
        sign_in(page, role.value)
        path = folder / f"state-{role.value}.json"
        context.storage_state(path=path)
        states[role] = str(path)
        context.close()
    return states


NewPage = Callable[..., Page]


@pytest.fixture
def new_page(site: Site, browser: Browser, signed_in_states: dict[Role, str]) -> Iterator[NewPage]:
    """new_page(role=None, viewport=DESKTOP): a fresh tab in its own context, signed in as the
    role (or as nobody); every context is closed when the test ends."""
    contexts: list[BrowserContext] = []

    def _new_page(role: Role | None = None, viewport: ViewportSize = DESKTOP) -> Page:
        context = browser.new_context(
            base_url=site.url,
            viewport=viewport,
            storage_state=signed_in_states[role] if role else None,
        )
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
