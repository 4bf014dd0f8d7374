"""Uploads waiting for confirmation: the web's imports, staged on disk and checked, then imported
through `import_paths` (as `carecast import` imports) or thrown away; nothing reaches the store
before confirmation.

Each upload lives in a folder of its own under one temporary directory, made on first use by
`open_staging` and removed by `StagingArea.close`: the files as sent (a zip's members unpacked
with their own paths) and `staged.json`, what the check found. Limits refuse an upload before it
fills the disk (services/upload_files.py): its size as sent, its zips' size once unpacked (however
their headers describe it), their number of members, and members whose path would lead out of
the folder. An upload not confirmed or discarded within `kept` is removed by the next request
that looks at the area.

The state is on disk, not in memory, so any thread of the process can confirm what another
staged; with several worker processes each has a directory of its own, and a confirmation that
reaches another worker finds no such upload (nothing is stored).
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from carecast.config import Settings
from carecast.errors import InvalidInput, Issue, NotFound, Severity
from carecast.reports.import_issues import write_issues
from carecast.services.imports import check_paths, import_paths
from carecast.services.setup import store_transaction
from carecast.services.upload_files import (
    MAPPING_SUFFIXES,
    StagingLimits,
    UploadRefused,
    copy_within,
    size,
    unpack_zip,
    upload_name,
)
from carecast.services.work_area import shared_directory
from carecast.store.accounts import append_audit
from carecast.store.imports import ImportOutcome

UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{22}")
FILES = "upload"  # the folder of an upload's files: sources are named from inside it
RECORD = "staged.json"
MAPPING = "mapping"  # the folder of the column-mapping file sent with an upload, if any
CLAIMED = ".claimed"  # an upload being confirmed or discarded: no other request may take it
GONE = (
    "There is no such upload waiting: it was confirmed, discarded or expired. Nothing was stored."
)


@dataclass(frozen=True)
class StagedFile:
    source: str  # as the problems name it: `a.csv`, `folder.zip`'s `folder/b.xlsx#Sheet`
    dataset: str
    rows: int


@dataclass(frozen=True)
class Staged:
    """One upload as the check found it: the files it would store and every problem."""

    upload_id: str
    owner: str
    staged_at: datetime
    as_of: date
    allow_empty: bool
    names: tuple[str, ...]  # the files as sent
    files: tuple[StagedFile, ...]
    issues: tuple[Issue, ...]
    withheld: tuple[str, ...]
    mapping: str | None = None  # the column-mapping file sent with them, by name

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return len(self.issues) - self.errors


def _issue_json(issue: Issue) -> dict[str, Any]:
    return {
        "source": issue.source,
        "row": issue.row,
        "column": issue.column,
        "rule": issue.rule,
        "message": issue.message,
        "severity": issue.severity.value,
    }


def _write(folder: Path, staged: Staged) -> None:
    record = {
        "owner": staged.owner,
        "staged_at": staged.staged_at.isoformat(),
        "as_of": staged.as_of.isoformat(),
        "allow_empty": staged.allow_empty,
        "names": list(staged.names),
        "files": [[f.source, f.dataset, f.rows] for f in staged.files],
        "issues": [_issue_json(i) for i in staged.issues],
        "withheld": list(staged.withheld),
        "mapping": staged.mapping,
    }
    (folder / RECORD).write_text(json.dumps(record), encoding="utf-8")


def _read(folder: Path) -> Staged:
    record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    return Staged(
        upload_id=folder.name.removesuffix(CLAIMED),
        owner=record["owner"],
        staged_at=datetime.fromisoformat(record["staged_at"]),
        as_of=date.fromisoformat(record["as_of"]),
        allow_empty=record["allow_empty"],
        names=tuple(record["names"]),
        files=tuple(StagedFile(s, d, r) for s, d, r in record["files"]),
        issues=tuple(
            Issue(
                i["source"], i["row"], i["column"], i["rule"], i["message"], Severity(i["severity"])
            )
            for i in record["issues"]
        ),
        withheld=tuple(record["withheld"]),
        mapping=record.get("mapping"),
    )


class StagingArea:
    """The uploads waiting for confirmation in one temporary directory, made on first use."""

    def __init__(
        self, limits: StagingLimits, parent: Path | None = None, *, shared: Path | None = None
    ) -> None:
        """`shared`: the directory every worker process of the store stages in (kept when one
        process stops: the others may be showing its uploads); else one of this process's own,
        under `parent`, removed when it stops."""
        self.limits = limits
        self._parent = parent
        self._shared = shared
        self._root: Path | None = shared
        self._lock = threading.Lock()  # guards making the directory, not the uploads in it

    @property
    def directory(self) -> Path | None:
        """The temporary directory, once the first upload has made it."""
        return self._root

    def _directory(self) -> Path:
        with self._lock:
            if self._shared is not None:
                return shared_directory(self._shared.parent, self._shared.name)
            if self._root is None:
                if self._parent is not None:
                    self._parent.mkdir(parents=True, exist_ok=True)
                # mkdtemp: a name no one can guess beforehand, readable by this user alone.
                self._root = Path(tempfile.mkdtemp(prefix="carecast-uploads-", dir=self._parent))
            return self._root

    def _folders(self) -> Iterator[Path]:
        if self._root is not None and self._root.is_dir():
            yield from (p for p in self._root.iterdir() if p.is_dir())

    def sweep(self, now: datetime | None = None) -> None:
        """Remove every upload staged longer ago than `kept` (claimed ones after twice that)."""
        now = now or datetime.now(UTC)
        for folder in self._folders():
            kept = self.limits.kept * (2 if folder.name.endswith(CLAIMED) else 1)
            made = datetime.fromtimestamp(folder.stat().st_mtime, UTC)
            if now - made > kept:
                shutil.rmtree(folder, ignore_errors=True)

    def waiting(self, owner: str) -> list[Staged]:
        """The owner's uploads waiting for confirmation, newest first."""
        self.sweep()
        found = [
            _read(f)
            for f in self._folders()
            if not f.name.endswith(CLAIMED) and (f / RECORD).is_file()
        ]
        mine = [s for s in found if s.owner == owner]
        return sorted(mine, key=lambda s: s.staged_at, reverse=True)

    def stage(
        self,
        settings: Settings,
        owner: str,
        uploads: Sequence[tuple[str, IO[bytes]]],
        as_of: date,
        *,
        allow_empty: bool = False,
        mapping: tuple[str, IO[bytes]] | None = None,
    ) -> Staged:
        """Keep the files sent (a zip unpacked) and check them as an import would, read through
        `mapping` (a column-mapping file, as `carecast import --mapping` reads); nothing is
        stored. Refused (UploadRefused, nothing kept) past a limit or for a file not read."""
        if len(self.waiting(owner)) >= self.limits.waiting_per_user:
            raise UploadRefused(
                f"{self.limits.waiting_per_user} uploads of yours are waiting; confirm or discard "
                "one first. Nothing was kept"
            )
        names = [upload_name(sent) for sent, _ in uploads]
        if not names:
            raise UploadRefused("choose at least one file to upload; nothing was kept")
        if len(set(names)) < len(names):
            raise UploadRefused("two files have the same name; upload them apart. Nothing was kept")
        upload_id = secrets.token_urlsafe(16)
        folder = self._directory() / upload_id
        files = folder / FILES
        try:
            files.mkdir(parents=True)
            self._keep(files, names, [stream for _, stream in uploads])
            mapping_path = self._keep_mapping(folder, mapping)
            checked = check_paths(
                settings,
                [files],
                as_of,
                allow_empty=allow_empty,
                named_from=files,
                mapping=mapping_path,
            )
            staged = Staged(
                upload_id,
                owner,
                datetime.now(UTC),
                as_of,
                allow_empty,
                tuple(names),
                tuple(StagedFile(p.source, p.dataset.name, p.row_count) for p in checked.files),
                tuple(checked.issues),
                checked.withheld,
                None if mapping_path is None else mapping_path.name,
            )
            _write(folder, staged)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return staged

    def _keep(self, files: Path, names: list[str], streams: list[IO[bytes]]) -> None:
        """The files sent, in `files`; a zip's members unpacked there with their own paths."""
        budget = self.limits.upload_bytes
        unpacked = self.limits.unpacked_bytes
        for name, stream in zip(names, streams, strict=True):
            zipped = name.lower().endswith(".zip")
            target = files.parent / name if zipped else files / name
            copied = copy_within(stream, target, budget)
            if copied < 0:
                raise UploadRefused(
                    f"the upload is larger than {size(self.limits.upload_bytes)}; send fewer "
                    "files at a time. Nothing was kept"
                )
            budget -= copied
            if zipped:
                unpacked = unpack_zip(target, files, self.limits, unpacked)
                target.unlink()

    def _keep_mapping(self, folder: Path, mapping: tuple[str, IO[bytes]] | None) -> Path | None:
        """The mapping file sent, kept beside (not among) the files it reads."""
        if mapping is None:
            return None
        name = upload_name(mapping[0], MAPPING_SUFFIXES)
        target = folder / MAPPING / name
        target.parent.mkdir()
        if copy_within(mapping[1], target, self.limits.upload_bytes) < 0:
            raise UploadRefused(
                f"the mapping file is larger than {size(self.limits.upload_bytes)}; nothing was kept"
            )
        return target

    def _folder(self, upload_id: str, owner: str) -> Path:
        self.sweep()
        root = self._root
        folder = None if root is None or not UPLOAD_ID.fullmatch(upload_id) else root / upload_id
        if folder is None or not (folder / RECORD).is_file() or _read(folder).owner != owner:
            raise NotFound(GONE)  # another user's upload is not theirs to see
        return folder

    def find(self, upload_id: str, owner: str) -> Staged:
        return _read(self._folder(upload_id, owner))

    def problems_file(self, upload_id: str, owner: str, suffix: str) -> Path:
        """Every problem of the upload in a new .xlsx or .csv file (as `--errors-out` writes
        it) inside the upload's folder; the caller removes it once sent."""
        folder = self._folder(upload_id, owner)
        name = f"problems-{secrets.token_hex(8)}{suffix}"
        return write_issues(folder / name, _read(folder).issues)

    def _claim(self, upload_id: str, owner: str) -> Path:
        """Take the upload for this request alone: a second click finds it gone."""
        folder = self._folder(upload_id, owner)
        claimed = folder.with_name(folder.name + CLAIMED)
        try:
            folder.rename(claimed)
        except FileNotFoundError:
            raise NotFound(GONE) from None
        return claimed

    def confirm(
        self, settings: Settings, upload_id: str, owner: str, actor: tuple[str, str]
    ) -> tuple[Staged, ImportOutcome]:
        """Import the upload as `carecast import` would, audited; the staged files go. If the
        store changed since the check and the files now have errors, InvalidInput is raised,
        the upload stays with the new problems, and nothing is stored."""
        claimed = self._claim(upload_id, owner)
        staged = _read(claimed)
        files = claimed / FILES
        try:
            outcome, _warnings = import_paths(
                settings,
                [files],
                staged.as_of,
                allow_empty=staged.allow_empty,
                named_from=files,
                mapping=None if staged.mapping is None else claimed / MAPPING / staged.mapping,
                actor=actor,
            )
        except BaseException as failure:  # the upload waits again, nothing stored
            if isinstance(failure, InvalidInput):
                _write(claimed, replace(staged, issues=tuple(failure.issues)))
            claimed.rename(claimed.with_name(staged.upload_id))
            raise
        shutil.rmtree(claimed, ignore_errors=True)
        return staged, outcome

    def discard(
        self, settings: Settings, upload_id: str, owner: str, actor: tuple[str, str]
    ) -> Staged:
        """Remove the upload's files, and write to the audit log that it was discarded."""
        claimed = self._claim(upload_id, owner)
        staged = _read(claimed)
        who, where = actor
        try:
            with store_transaction(settings) as connection:
                append_audit(
                    connection,
                    at=datetime.now(UTC),
                    actor=who,
                    source=where,
                    action="import_discarded",
                    subject=", ".join(staged.names),
                    after={
                        "as_of": staged.as_of.isoformat(),
                        "files": list(staged.names),
                        "errors": staged.errors,
                        "warnings": staged.warnings,
                    },
                )
        except BaseException:  # not audited (the store busy …): the upload waits again
            claimed.rename(claimed.with_name(staged.upload_id))
            raise
        shutil.rmtree(claimed, ignore_errors=True)
        return staged

    def close(self) -> None:
        """Remove the directory and every upload in it (the application is stopping)."""
        with self._lock:
            if self._shared is not None:
                return  # the other workers' uploads wait on; expired ones go at a sweep
            if self._root is not None:
                shutil.rmtree(self._root, ignore_errors=True)
            self._root = None


def open_staging(
    limits: StagingLimits | None = None, parent: Path | None = None, *, shared: Path | None = None
) -> StagingArea:
    """A staging area for one application: its directory is made under `parent` (default: the
    system's temporary directory) when the first upload comes — or, with `shared`, the store's
    directory every worker process stages in (services/work_area.py)."""
    return StagingArea(limits or StagingLimits(), parent, shared=shared)
