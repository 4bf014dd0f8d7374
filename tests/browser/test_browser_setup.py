"""Without Debian's Chromium the browser tests skip on a developer's machine, saying how to get
it, and fail on CI, where `make test` should have installed it."""

from __future__ import annotations

import shutil

import pytest

from tests.browser.conftest import chromium_path


def test_chromium_is_found_where_debian_installs_it() -> None:
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed here")
    assert chromium_path() == shutil.which("chromium")


def test_without_chromium_they_skip_off_ci_and_fail_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="make test installs it"):
        chromium_path()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="on CI the browser tests must run"):
        chromium_path()
