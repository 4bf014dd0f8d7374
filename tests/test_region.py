"""`carecast region`: councils of one store side by side; the region's figures are theirs added."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from carecast.cli import run
from carecast.config import Settings
from carecast.services.region import council_seed, region_view
from tests.test_cli_project import AS_OF, PLACES, _small_council

CATEGORY = {
    ("U4", "PR1"): "placements_in_house",
    ("U4", "PR4"): "placements_ifa",
    ("K2", "PR4"): "placements_residential",
    ("U1", "PR1"): "placements_kinship",
    ("P1", "PR0"): "no_placement_cost",
}


def looked_after_on_the_day() -> Counter[str]:
    """By hand, from how the small council is written: child i starts 12i days after 1 April
    2015 and stays 200 + 7(i mod 30) days, but every third child stays on."""
    counted: Counter[str] = Counter()
    for i in range(90):
        start = date(2015, 4, 1) + timedelta(days=12 * i)
        end = None if i % 3 == 0 else start + timedelta(days=200 + 7 * (i % 30))
        if start <= AS_OF and (end is None or end > AS_OF):
            counted[CATEGORY[PLACES[i % len(PLACES)]]] += 1
    return counted


def test_the_region_is_its_councils_added_and_says_who_it_left_out(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = ["--database-url", database_url]
    for code, name in (("801", "North"), ("802", "South"), ("803", "Empty")):
        assert run(["init", "--council", name, "--la-code", code, *url]) == 0
    for code in ("801", "802"):
        extract = _small_council(tmp_path / code)
        assert (
            run(["--council", code, "import", str(extract), "--as-of", AS_OF.isoformat(), *url])
            == 0
        )
    capsys.readouterr()

    assert run(["region", "--years", "2", "--json", *url]) == 0
    result = json.loads(capsys.readouterr().out)
    expected = looked_after_on_the_day()
    assert sum(expected.values()) == 45
    north, south = result["councils"]
    for council in (north, south):
        assert {k: v for k, v in council["children"].items() if v} == expected
        assert council["children_looked_after"] == 45
    region = result["region"]
    assert region["children_looked_after"] == 90
    for day, row in region["sufficiency"].items():
        for category, figures in row.items():
            assert figures["in_use_now"] == 2 * expected.get(category, 0)
            assert figures["needed"] == pytest.approx(
                north["projected"][day][category] + south["projected"][day][category], abs=0.2
            )
    assert [c["la_code"] for c in result["left_out"]] == ["803"]
    assert "no SSDA903 episodes" in result["left_out"][0]["why"]

    assert run(["region", "--councils", "801,809", *url]) == 1
    assert "the store holds no council 809" in capsys.readouterr().err


def test_the_regions_bands_add_its_councils_paths_each_drawn_on_its_own_seed(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """North and South hold the same children; with paths, each council's are drawn on a seed of
    its own, so the region's spread of children looked after is wider than either council's and
    narrower than the two added as if they moved together (√2 of one, for two alike)."""
    url = ["--database-url", database_url]
    for code, name in (("801", "North"), ("802", "South")):
        assert run(["init", "--council", name, "--la-code", code, *url]) == 0
        extract = _small_council(tmp_path / code)
        assert (
            run(["--council", code, "import", str(extract), "--as-of", AS_OF.isoformat(), *url])
            == 0
        )
    assert council_seed("801") != council_seed("802")
    view = region_view(Settings(database_url=database_url), None, 2, paths=400)
    again = region_view(Settings(database_url=database_url), None, 2, paths=400)
    bands, sufficiency = view.bands(), view.sufficiency()
    assert bands == again.bands()  # seeded: the same paths every run
    last = max(bands)
    for category, band in bands[last].items():
        assert band.p10 <= sufficiency[last][category] + 1e-9
        assert sufficiency[last][category] <= band.p90 + 1e-9
    north, south = (council.paths_ahead[last].sum(axis=1) for council in view.councils)
    region = north + south

    assert max(width(north), width(south)) < width(region) < width(north) + width(south)

    capsys.readouterr()
    assert run(["region", "--years", "2", "--paths", "100", "--json", *url]) == 0
    shown = json.loads(capsys.readouterr().out)["region"]["sufficiency"]
    first = shown[min(shown)]["placements_ifa"]
    assert first["band"]["p10"] <= first["needed"] <= first["band"]["p90"]


def width(values: np.ndarray) -> float:
    """P90 − P10 of the paths."""
    p10, p90 = np.quantile(values, [0.1, 0.9])
    return float(p90 - p10)


def test_councils_side_by_side_give_the_region_one_after_another_gives(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each council read, fitted and simulated whole in one of two processes: the same figures,
    bands and councils left out (with why) as in one process, in the store's order."""
    url = ["--database-url", database_url]
    for code, name in (("801", "North"), ("802", "South"), ("803", "Empty"), ("804", "West")):
        assert run(["init", "--council", name, "--la-code", code, *url]) == 0
    for code in ("801", "802", "804"):
        extract = _small_council(tmp_path / code)
        assert (
            run(["--council", code, "import", str(extract), "--as-of", AS_OF.isoformat(), *url])
            == 0
        )
    settings = Settings(database_url=database_url)
    alone = region_view(settings, None, 2, paths=100)
    side_by_side = region_view(settings, None, 2, paths=100, processes=2)
    assert side_by_side.as_json() == alone.as_json()
    assert [c.la_code for c in side_by_side.councils] == ["801", "802", "804"]
    assert [code for code, _why in side_by_side.left_out] == ["803"]
    assert region_view(settings, None, 2, processes=2).as_json() == (
        region_view(settings, None, 2).as_json()
    )
