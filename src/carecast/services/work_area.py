"""Where a store's web application keeps files between requests (uploads waiting for
confirmation, reports written): one private directory per store, shared by the store's worker
processes, so that a request answered by another worker than the one that wrote a file finds it.

The directory is `<temporary directory>/carecast-<user id>-<digest of the store's URL>`. It must
be this user's own and private: one that someone else made there first (or a link) is refused
rather than written into.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from pathlib import Path

from carecast.config import Settings
from carecast.errors import UsageError


def work_area(settings: Settings) -> Path:
    """The store's directory (not made here: `shared_directory` makes it when it is needed)."""
    digest = hashlib.sha256(settings.database_url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"carecast-{os.getuid()}-{digest}"


def shared_directory(area: Path, name: str) -> Path:
    """`area`/`name`, both made private to this user when missing and checked to be so."""
    return private_directory(private_directory(area) / name)


def private_directory(path: Path) -> Path:
    """`path` made readable by this user alone, and checked to be so (its parent must exist)."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    found = os.lstat(path)
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
        raise UsageError(
            f"{path} is not a private directory of this user (a link, someone else's, or open to "
            "others): carecast will not keep uploads or reports there; remove it and try again"
        )
    return path
