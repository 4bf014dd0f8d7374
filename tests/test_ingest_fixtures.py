"""Golden: every shared fixture file is ingested, and each rule's error and warning counts are pinned.

The SSDA903 fixtures are synthetic returns written by DfE's validator project and Social Finance's
demand model (../shared/reference/SOURCES.md). Their random episodes overlap and reuse codes of
other years, so they do not import: each fails with located errors, a few checked by hand below.
Counts are `rule:e` (error) and `rule:w` (warning) per file; "not-used" notes are left out.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from carecast.errors import Issue
from carecast.ingest.loader import parse_paths
from carecast.ingest.rules import RuleContext
from tests.conftest import SHARED

FAKE = SHARED / "fixtures" / "ssda903_fake"
DEMAND = SHARED / "fixtures" / "demand_model_samples"

# The fake return describes 2017-18 (DEC up to 1 April 2018) with 2018-19's codes: REC E45–E48 and
# REASON_PLACE_CHANGE CUSTOD are warnings naming the year; MOTHER '1.0', ACCOM '01'/'02', SW_REASON
# 'SWLAZY' and REASON_PLACED_CEASED 'XXX' are the deliberate mistakes SOURCES.md lists.
GOLDEN_FAKE: dict[str, dict[str, int]] = {
    "episodes.csv": {
        "dec-after-year-end:e": 12,
        "dec-rec-mismatch:w": 1413,
        "earlier-episode-open:e": 10,
        "invalid-reason-place-change:e": 216,
        "invalid-rec:e": 226,
        "overlapping-episodes:e": 62,
        "provider-not-needed:w": 1105,
        "provider-place-mismatch:w": 1497,
    },
    "fake_903.xml": {
        "dec-after-year-end:e": 1,
        "dec-rec-mismatch:w": 133,
        "invalid-accom:w": 1,
        "invalid-reason-place-change:e": 19,
        "invalid-reason-placed-ceased:w": 3,
        "invalid-rec:e": 15,
        "overlapping-episodes:e": 7,
        "provider-not-needed:w": 100,
        "provider-place-mismatch:w": 133,
    },
    "header.csv": {"invalid-mother:w": 1},
    "oc3.csv": {"invalid-accom:w": 2},
    "placed_for_adoption.csv": {"invalid-reason-placed-ceased:w": 29},
    "placed_for_adoption_errors.csv": {"invalid-reason-placed-ceased:w": 30},
    "sw_episodes.csv": {"invalid-sw-reason:w": 1},
}

# Demand-model year YYYY is the return for April YYYY to March YYYY+1, imported as of its 31 March.
GOLDEN_DEMAND: dict[int, dict[str, dict[str, int]]] = {
    2017: {
        "2017-episodes.csv": {
            "dec-after-year-end:e": 2,
            "dec-rec-mismatch:w": 434,
            "earlier-episode-open:e": 6,
            "invalid-reason-place-change:e": 58,
            "invalid-rec:e": 84,
            "overlapping-episodes:e": 17,
        },
        "2017-header.csv": {"invalid-mother:w": 1},
        "2017-oc3.csv": {"invalid-accom:w": 9},
    },
    2018: {
        "2018-episodes.csv": {
            "dec-rec-mismatch:w": 235,
            "earlier-episode-open:e": 1,
            "overlapping-episodes:e": 5,
        },
        "2018-oc3.csv": {"invalid-accom:w": 11},
    },
    2019: {
        "2019-episodes.csv": {
            "dec-after-year-end:e": 1,
            "dec-rec-mismatch:w": 160,
            "overlapping-episodes:e": 4,
        },
        "2019-oc3.csv": {"invalid-accom:w": 2},
    },
    2020: {
        "2020-episodes.csv": {
            "dec-rec-mismatch:w": 105,
            "earlier-episode-open:e": 2,
            "overlapping-episodes:e": 3,
        },
        "2020-oc3.csv": {"invalid-accom:w": 1},
    },
}


def counts(issues: list[Issue]) -> dict[str, dict[str, int]]:
    found = Counter(
        (Path(i.source).name, f"{i.rule}:{i.severity.value[0]}")
        for i in issues
        if i.rule != "not-used"
    )
    grouped: dict[str, dict[str, int]] = {}
    for (name, rule), number in sorted(found.items()):
        grouped.setdefault(name, {})[rule] = number
    return grouped


def located(issues: list[Issue], name: str, rule: str) -> list[int | None]:
    return [i.row for i in issues if Path(i.source).name == name and i.rule == rule]


@pytest.fixture(scope="module")
def fake_return() -> tuple[list[str], list[Issue]]:
    parsed, issues = parse_paths([FAKE], RuleContext(date(2018, 3, 31)))
    return [p.dataset.name for p in parsed], issues


def test_every_file_of_the_fake_return_is_read_and_recognised(
    fake_return: tuple[list[str], list[Issue]],
) -> None:
    datasets, issues = fake_return
    assert Counter(datasets) == {
        "ssda903_header": 2,  # header.csv and the XML's
        "ssda903_episodes": 2,
        "ssda903_uasc": 2,
        "ssda903_reviews": 2,
        "ssda903_missing": 2,
        "ssda903_oc2": 2,
        "ssda903_oc3": 2,
        "ssda903_ad1": 2,
        "ssda903_placed_for_adoption": 3,
        "ssda903_prev_perm": 2,
        "ssda903_sw_episodes": 1,
        "ssda903_dolo": 1,
        "ofsted_providers": 5,  # the provider lists: reference data, not inputs
    }
    assert counts(issues) == GOLDEN_FAKE


def test_the_fake_returns_errors_are_the_ones_a_reader_finds(
    fake_return: tuple[list[str], list[Issue]],
) -> None:
    _, issues = fake_return
    # DEC 01/04/2018 is after the year's end; row 2 of the XML is its whole single line.
    assert located(issues, "fake_903.xml", "dec-after-year-end") == [2]
    header = (FAKE / "header.csv").read_text().splitlines()
    [mother] = located(issues, "header.csv", "invalid-mother")
    assert mother is not None
    assert header[mother - 1].split(",")[5] == "1.0"


@pytest.mark.parametrize("year", [2017, 2018, 2019, 2020])
def test_each_demand_model_year_fails_with_pinned_located_errors(year: int) -> None:
    files = sorted(DEMAND.glob(f"{year}-*.csv"))
    assert len(files) == 8
    parsed, issues = parse_paths(files, RuleContext(date(year + 1, 3, 31)))
    assert len(parsed) == 8
    assert counts(issues) == GOLDEN_DEMAND[year]


def test_demand_model_errors_checked_by_hand() -> None:
    """2018-episodes.csv rows 350–353 are one child's four episodes (synthetic id 425538):
    03/12/2016–06/06/2018, 06/06/2018–21/08/2018, 19/06/2017–09/09/2018 and 09/09/2018–open.
    The third starts inside the first, the second inside the third: rows 352 and 351 overlap.
    In 2017-episodes.csv, row 143 is an open episode of a child with a later one (row 141)."""
    _, issues = parse_paths(sorted(DEMAND.glob("2018-*.csv")), RuleContext(date(2019, 3, 31)))
    assert {351, 352} <= set(located(issues, "2018-episodes.csv", "overlapping-episodes"))
    _, issues = parse_paths(sorted(DEMAND.glob("2017-*.csv")), RuleContext(date(2018, 3, 31)))
    assert 143 in located(issues, "2017-episodes.csv", "earlier-episode-open")
