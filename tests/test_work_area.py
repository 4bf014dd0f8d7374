"""The store's shared directory for uploads and reports (services/work_area.py): one per store,
private to this user, and never one that someone else (or a link) put in its place."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from carecast.config import Settings
from carecast.errors import UsageError
from carecast.services.work_area import private_directory, shared_directory, work_area


def test_each_store_has_its_own_directory_named_by_user_and_store() -> None:
    one = work_area(Settings(database_url="sqlite:////srv/a/carecast.db"))
    other = work_area(Settings(database_url="sqlite:////srv/b/carecast.db"))
    assert one != other
    assert one.name.startswith(f"carecast-{os.getuid()}-")
    assert one == work_area(Settings(database_url="sqlite:////srv/a/carecast.db"))


def test_the_directory_is_made_private(tmp_path: Path) -> None:
    made = shared_directory(tmp_path / "area", "uploads")
    assert made == tmp_path / "area" / "uploads"
    for folder in (made, made.parent):
        assert folder.stat().st_mode & 0o777 == 0o700
    assert shared_directory(tmp_path / "area", "uploads") == made  # found again, as it is


def test_a_directory_open_to_others_is_refused(tmp_path: Path) -> None:
    opened = tmp_path / "opened"
    opened.mkdir(mode=0o777)
    opened.chmod(0o777)
    with pytest.raises(UsageError, match="not a private directory"):
        private_directory(opened)


def test_a_link_in_its_place_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(elsewhere)
    with pytest.raises(UsageError, match="not a private directory"):
        private_directory(tmp_path / "link")
