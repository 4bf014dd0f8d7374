"""Files sent to the web's imports, kept on disk within limits: what a file may be called, and a
zip unpacked into its folder counting what it unpacks to (not what its headers declare), with no
member written outside it. Any refusal is an UploadRefused saying why; the caller removes what
was kept."""

from __future__ import annotations

import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import IO

from carecast.errors import UsageError

MB = 1024 * 1024
CHUNK = MB
UPLOAD_SUFFIXES = (".csv", ".txt", ".xlsx", ".xml", ".zip")


def size(count: int) -> str:
    """A size as people read it: 1,000 bytes, 200 MB, 1.5 MB."""
    if count < MB:
        return f"{count:,} bytes"
    return f"{count / MB:,.1f}".removesuffix(".0") + " MB"


class UploadRefused(UsageError):
    """An upload that cannot be staged as sent (too large, a zip leading out of its folder, a
    file carecast does not read); nothing was kept."""


@dataclass(frozen=True)
class StagingLimits:
    upload_bytes: int = 200 * MB  # one upload's files together, as sent
    unpacked_bytes: int = 1024 * MB  # the members of its zips together, once unpacked
    members: int = 5_000  # entries in one zip, folders included
    waiting_per_user: int = 10  # uploads one user may leave unconfirmed at once
    kept: timedelta = timedelta(hours=2)  # an upload older than this is removed


def upload_name(sent: str, suffixes: tuple[str, ...] = UPLOAD_SUFFIXES) -> str:
    """The name a file is staged under: the last part of what the browser sent, if carecast can
    read it (a folder's path, or a path meant to climb out, keeps only its name)."""
    name = re.split(r"[/\\]", sent)[-1].strip()
    if not name or name.startswith(".") or any(ord(c) < 32 for c in name):
        raise UploadRefused(f"'{sent}' is not a file name carecast can stage; nothing was kept")
    if not name.lower().endswith(suffixes):
        what = (
            "CSV, XLSX and SSDA903 XML files, or a folder of them as a .zip"
            if suffixes == UPLOAD_SUFFIXES
            else "a column mapping as a YAML or JSON file"
        )
        raise UploadRefused(f"{name}: carecast reads {what}; nothing was kept")
    return name


MAPPING_SUFFIXES = (".yaml", ".yml", ".json")


def _member_path(folder: Path, name: str, archive: str) -> Path:
    """Where a zip member goes, refused if its path is absolute or climbs out of `folder`."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    escapes = name.startswith(("/", "\\")) or any(p == ".." or ":" in p for p in parts)
    target = folder.joinpath(*parts) if parts and not escapes else folder
    if escapes or not target.resolve().is_relative_to(folder.resolve()) or target == folder:
        raise UploadRefused(
            f"{archive}: the member '{name}' would be written outside the upload's folder; "
            "the zip was refused and nothing was kept"
        )
    return target


def copy_within(source: IO[bytes], target: Path, budget: int) -> int:
    """Copy at most `budget` bytes; returns what was copied, or -1 when there was more."""
    copied = 0
    with target.open("xb") as out:
        while chunk := source.read(CHUNK):
            copied += len(chunk)
            if copied > budget:
                return -1
            out.write(chunk)
    return copied


def unpack_zip(archive: Path, folder: Path, limits: StagingLimits, budget: int) -> int:
    """Unpack a zip into `folder`, counting what it unpacks to, not what its headers declare;
    returns what is left of `budget`, the bytes the upload's zips may still unpack to."""
    label = archive.name
    try:
        with zipfile.ZipFile(archive) as opened:
            members = opened.infolist()
            if len(members) > limits.members:
                raise UploadRefused(
                    f"{label} holds {len(members):,} entries; at most {limits.members:,} are "
                    "taken from one zip. Nothing was kept"
                )
            for member in members:
                target = _member_path(folder, member.filename, label)
                if stat.S_ISLNK(member.external_attr >> 16):
                    raise UploadRefused(f"{label}: '{member.filename}' is a link; nothing was kept")
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with opened.open(member) as source:
                    try:
                        copied = copy_within(source, target, budget)
                    except FileExistsError:
                        raise UploadRefused(
                            f"{label}: '{member.filename}' is sent twice (in the zip, or beside "
                            "it); nothing was kept"
                        ) from None
                if copied < 0:
                    raise UploadRefused(
                        f"{label} unpacks to more than {size(limits.unpacked_bytes)} (with the "
                        "upload's other zips); split it into smaller uploads. Nothing was kept"
                    )
                budget -= copied
    except (FileExistsError, NotADirectoryError):  # a folder where a file is, or the reverse
        raise UploadRefused(
            f"{label} holds a file and a folder of one name; nothing was kept"
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as bad:
        # RuntimeError: a password-protected member; NotImplementedError: an unknown method.
        raise UploadRefused(
            f"{label} cannot be unpacked ({type(bad).__name__}): is it a zip without a "
            "password? Nothing was kept"
        ) from None
    return budget
