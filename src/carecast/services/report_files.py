"""The committee report written for the web application: `make_report` (the service behind
`carecast report`) into a folder of its own on the application's shelf, and the files read back.

The shelf is the store's private directory that every worker process of the web application
shares (`ReportShelf.create(shared=…)`, services/work_area.py), or one of the application's own,
made on first use and removed when it stops: each report gets a folder named by a random token,
and the newest `KEPT` folders are kept. Who may read a folder is the web layer's to decide.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from carecast.config import Settings
from carecast.errors import NotFound
from carecast.services.progress import Progress, quiet
from carecast.services.report import ReportOptions, make_report
from carecast.services.work_area import shared_directory

KEPT = 50
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMAT_NAMES = {"html": "HTML", "pdf": "PDF", "docx": "Word", "xlsx": "Excel"}


class ReportShelf:
    """One application's report folders, in a private directory (readable by this user only)
    made on first use, so that an application that writes no report leaves nothing behind."""

    def __init__(self, prefix: str = "carecast-reports-", shared: Path | None = None) -> None:
        self._prefix = prefix
        self._shared = shared
        self._root: Path | None = None
        self._lock = threading.Lock()

    @classmethod
    def create(cls, shared: Path | None = None) -> ReportShelf:
        return cls(shared=shared)

    @property
    def root(self) -> Path:
        with self._lock:
            if self._shared is not None:
                return shared_directory(self._shared.parent, self._shared.name)
            if self._root is None:
                self._root = Path(tempfile.mkdtemp(prefix=self._prefix))
            return self._root

    def new_folder(self) -> Path:
        """A fresh folder for one report; the oldest beyond the newest `KEPT` are removed."""
        folders = sorted(
            (p for p in self.root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime
        )
        for old in folders[: max(0, len(folders) - KEPT + 1)]:
            shutil.rmtree(old, ignore_errors=True)
        folder = self.root / secrets.token_hex(16)
        folder.mkdir(mode=0o700)
        return folder

    def file(self, folder: str, name: str) -> Path:
        """A report file written here before; NotFound once it has been removed."""
        root = self.root
        path = root / folder / name
        if path.parent.parent != root or not path.is_file():
            raise NotFound(
                f"the report file {name[:80]} is no longer kept: the newest {KEPT} reports are "
                "kept; generate it again"
            )
        return path

    def remove(self) -> None:
        """Remove this application's own directory (a shared one stays: other workers use it)."""
        with self._lock:
            if self._root is not None:
                shutil.rmtree(self._root, ignore_errors=True)
                self._root = None


def write_report_files(
    settings: Settings, shelf: ReportShelf, options: ReportOptions, progress: Progress = quiet
) -> dict[str, Any]:
    """The report written into a new folder of `shelf`: what its page shows, as JSON."""
    folder = shelf.new_folder()
    result = make_report(settings, options, folder, progress)
    return {
        "council": result.council.name,
        "period": str(result.period),
        "snapshot_id": result.snapshot_id,
        "public": options.public,
        "folder": folder.name,
        "files": {kind: path.name for kind, path in result.files.items()},
        "sizes": {kind: path.stat().st_size for kind, path in result.files.items()},
        "pages": result.pages,
        "seconds": round(result.seconds["total"], 1),
        "omitted": [{"title": part.title, "reason": part.reason} for part in result.omitted],
    }
