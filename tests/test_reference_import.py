"""`carecast reference import`: newer releases are stored beside the shipped ones, all or nothing,
and take precedence figure by figure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carecast.errors import InvalidInput
from carecast.reference.dataset import load_reference
from carecast.reference.library import MANIFEST, files_in_use, import_releases

HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,la_name,new_la_code,population_type,population_estimate,"
    "children_count,rate_per_10000\n"
)
LOOKED_AFTER = "Children looked after on 31 March each year"
# A made-up 2026 release: Lewisham 2026 and a revision of its 2025 figure (shipped: 439 of 62,052).
NEWER = HEADER + (
    f"2026,Reporting year,Local authority,E92000001,England,E13000002,Inner London,209,Lewisham,"
    f"E09000023,{LOOKED_AFTER},61500,450,73\n"
    f"2025,Reporting year,Local authority,E92000001,England,E13000002,Inner London,209,Lewisham,"
    f"E09000023,{LOOKED_AFTER},62052,441,71\n"
    f"2026,Reporting year,National,E92000001,England,,,,,,{LOOKED_AFTER},12200000,81000,66\n"
)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_imported_release_adds_years_and_revises_figures(tmp_path: Path) -> None:
    release = write(tmp_path / "downloads", "cla_2026.csv", NEWER)
    store = tmp_path / "reference"
    stored, unchanged = import_releases([release], store)
    assert [(f.kind, f.original_name, f.sequence) for f in stored] == [
        ("cla_rates", "cla_2026.csv", 1)
    ]
    assert unchanged == []
    assert (store / "001-cla_2026.csv").read_bytes() == release.read_bytes()
    manifest = json.loads((store / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["files"][0]["sha256"] == stored[0].sha256
    data = load_reference(files_in_use(store))
    lewisham = data.index[("209", "cla_31_march")]
    assert lewisham["2026"].value == 450
    assert (lewisham["2025"].value, lewisham["2025"].file) == (441, "cla_2026.csv")
    assert lewisham["2024"].value == 453  # untouched: only in the shipped release


def test_importing_the_same_release_again_changes_nothing(tmp_path: Path) -> None:
    release = write(tmp_path / "downloads", "cla_2026.csv", NEWER)
    store = tmp_path / "reference"
    import_releases([release], store)
    before = (store / MANIFEST).read_text(encoding="utf-8")
    stored, unchanged = import_releases([tmp_path / "downloads"], store)
    assert (stored, unchanged) == ([], [release])
    assert (store / MANIFEST).read_text(encoding="utf-8") == before


def test_a_shipped_file_is_recognised_as_already_in_use(tmp_path: Path) -> None:
    from carecast.reference.library import DATA

    stored, unchanged = import_releases([DATA / "sn_model_2025_wide.csv"], tmp_path / "ref")
    assert stored == []
    assert unchanged == [DATA / "sn_model_2025_wide.csv"]


def test_a_file_carecast_does_not_read_stops_the_whole_import(tmp_path: Path) -> None:
    good = write(tmp_path / "in", "cla_2026.csv", NEWER)
    odd = write(tmp_path / "in", "budget.csv", "FINANCIAL_YEAR,SERVICE_LINE,BUDGET\n")
    store = tmp_path / "reference"
    with pytest.raises(InvalidInput) as failure:
        import_releases([good, odd], store)
    assert [(i.source, i.rule) for i in failure.value.issues] == [(str(odd), "reference-unknown")]
    assert not store.exists()


def test_a_recognised_file_that_cannot_be_read_is_reported(tmp_path: Path) -> None:
    # The columns say "rate file", but neither population_type nor population_count is there.
    broken = write(
        tmp_path / "in",
        "cla.csv",
        "time_period,geographic_level,old_la_code,population_estimate,rate_per_10000\n"
        "2026,National,,1,1\n",
    )
    with pytest.raises(InvalidInput) as failure:
        import_releases([broken], tmp_path / "reference")
    assert [i.rule for i in failure.value.issues] == ["reference-unreadable"]
    assert "cannot be read" in failure.value.issues[0].message


def test_a_missing_path_is_reported(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as failure:
        import_releases([tmp_path / "nowhere.csv"], tmp_path / "reference")
    assert [i.rule for i in failure.value.issues] == ["reference-missing"]
