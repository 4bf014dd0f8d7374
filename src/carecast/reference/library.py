"""Which reference files are in use: the releases carecast ships, and newer ones a user imported.

Imported releases are copied, unmodified, into a reference folder (beside the store by default;
see `services.benchmark.reference_folder`) and listed in its `manifest.json` with their original
name, SHA-256 and import time. Nothing shipped is ever changed; a newer release takes precedence
figure by figure (see `carecast.reference.dataset`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from carecast.errors import InvalidInput, Issue
from carecast.reference.catalogue import recognise

DATA = Path(__file__).parent / "data"
MANIFEST = "manifest.json"
SHIPPED = {
    "cla_number_and_rate_per_10k_children.csv": "cla_rates",
    "cla_number_and_rate_per_10k_children_2018_to_2022.csv": "cla_rates",
    "SFR50_CLA2017.csv": "sfr50_cla",
    "SFR50_ADM2017.csv": "sfr50_started",
    "SFR50_CEA2017.csv": "sfr50_ceased",
    "la_cla_during_year_new_placements.csv": "new_placements",
    "la_children_who_ceased_during_the_year.csv": "ceased_reasons",
    "national_cla_on_31_march_by_placement_provider_placement_type_and_locality.csv": (
        "national_placements"
    ),
    "csww_indicators_2017_to_2025.csv": "workforce",
    "ons_mid-year_population_estimates_2012_to_2024.csv": "population",
    "sn_model_2025_wide.csv": "neighbours_2025",
    "New_Statistical_Neighbour_Groupings_April_2021.csv": "neighbours_2021",
    "RO3_LA_Data_2024-25_data_by_LA.ods": "revenue_outturn",
    "RO3_2023-24_data_by_LA.ods": "revenue_outturn",
}


@dataclass(frozen=True, slots=True)
class ReferenceFile:
    """One published file in use: what kind it is, where it lives, and where it came from."""

    kind: str
    path: Path
    origin: str  # "shipped" or "imported"
    sequence: int = 0  # the order of import; 0 for shipped files
    original_name: str = ""
    sha256: str = ""
    imported_at: datetime | None = None

    @property
    def name(self) -> str:
        return self.original_name or self.path.name


def shipped_files() -> list[ReferenceFile]:
    return [ReferenceFile(kind, DATA / name, "shipped", 0, name) for name, kind in SHIPPED.items()]


def imported_files(folder: Path | None) -> list[ReferenceFile]:
    """The releases imported into `folder`, in import order (none when it has no manifest)."""
    if folder is None or not (folder / MANIFEST).is_file():
        return []
    entries = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
    return [
        ReferenceFile(
            e["kind"],
            folder / e["stored_as"],
            "imported",
            e["sequence"],
            e["original_name"],
            e["sha256"],
            datetime.fromisoformat(e["imported_at"]),
        )
        for e in entries
    ]


def files_in_use(folder: Path | None) -> list[ReferenceFile]:
    return shipped_files() + imported_files(folder)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _expand(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        else:
            found.append(path)
    return found


def _check(path: Path) -> tuple[str | None, Issue | None]:
    """The file's kind, after reading it through as carecast will; or the problem with it."""
    from carecast.reference.dataset import load_file

    if not path.is_file():
        return None, Issue(str(path), None, None, "reference-missing", "no such file")
    kind = recognise(path)
    if kind is None:
        return None, Issue(
            str(path),
            None,
            None,
            "reference-unknown",
            "not a release carecast reads: its columns match none of the DfE, ONS or MHCLG "
            "tables listed in carecast/reference/data/LICENCE-DATA.md",
        )
    try:
        load_file(ReferenceFile(kind.key, path, "imported"))
    except (ValueError, KeyError, StopIteration, OSError, pl.exceptions.PolarsError) as exc:
        message = f"recognised as {kind.title}, but it cannot be read: {exc}"
        return None, Issue(str(path), None, None, "reference-unreadable", message)
    return kind.key, None


def import_releases(paths: list[Path], folder: Path) -> tuple[list[ReferenceFile], list[Path]]:
    """Copy newer releases into `folder`: all of them, or none when any is not one carecast reads.

    Returns the files stored and the paths skipped because the same content is already there.
    """
    checked = [(path, *_check(path)) for path in _expand(paths)]
    issues = [issue for _path, _kind, issue in checked if issue is not None]
    if issues:
        raise InvalidInput(issues)
    current = imported_files(folder)
    known = {f.sha256 for f in current} | {_sha256(f.path) for f in shipped_files()}
    sequence = max((f.sequence for f in current), default=0)
    copies: list[tuple[Path, ReferenceFile]] = []
    unchanged: list[Path] = []
    for path, kind, _issue in checked:
        assert kind is not None
        digest = _sha256(path)
        if digest in known:
            unchanged.append(path)
            continue
        known.add(digest)
        sequence += 1
        target = folder / f"{sequence:03d}-{path.name}"
        entry = ReferenceFile(
            kind, target, "imported", sequence, path.name, digest, datetime.now(UTC)
        )
        copies.append((path, entry))
    if copies:
        folder.mkdir(parents=True, exist_ok=True)
        for path, entry in copies:
            shutil.copyfile(path, entry.path)
        _write_manifest(folder, current + [entry for _path, entry in copies])
    return [entry for _path, entry in copies], unchanged


def _write_manifest(folder: Path, files: list[ReferenceFile]) -> None:
    entries = [
        {
            "kind": f.kind,
            "stored_as": f.path.name,
            "sequence": f.sequence,
            "original_name": f.original_name,
            "sha256": f.sha256,
            "imported_at": (f.imported_at or datetime.now(UTC)).isoformat(),
        }
        for f in files
    ]
    # Written beside and renamed over, so a reader never sees half a manifest.
    temporary = folder / f".{MANIFEST}.tmp"
    temporary.write_text(json.dumps({"files": entries}, indent=2), encoding="utf-8")
    os.replace(temporary, folder / MANIFEST)
