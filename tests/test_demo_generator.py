"""The demo council generator: deterministic files, shaped like the case study, that hang together.

The numbers the tests hold the default demo to come from DOMAIN.md's "case study as numbers":
506, 516, 489, 440, 467, 494 looked after at 31 March 2013-2018; about 36% in-house fostering,
42% IFA and 16% residential or supported (35 in residential) in August 2018; a £41.6m budget
for 2018-19 overspent by about £12.9m.
"""

from __future__ import annotations

import csv
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from carecast.demo import DemoManifest, DemoProfile, Frictions, generate_demo_files

Demo = tuple[Path, DemoManifest]

# formats.md, section 1, column for column.
COLUMNS = {
    "header.csv": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB",
    "episodes.csv": "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
    "HOME_POST,PL_POST,URN",
    "placement_costs.csv": "CHILD,PLACEMENT_TYPE,PROVIDER,START_DATE,END_DATE,WEEKLY_COST,"
    "CONTRIBUTION_PCT,COST_CENTRE",
    "gl_actuals.csv": "PERIOD,COST_CENTRE,ACCOUNT,AMOUNT,DESCRIPTION",
    "cost_centres.csv": "COST_CENTRE,SERVICE_LINE,S251_LINE",
    "budget.csv": "FINANCIAL_YEAR,SERVICE_LINE,BUDGET",
    "establishment.csv": "POST_ID,TEAM,ROLE,FTE,STATUS,ANNUAL_COST,START_DATE,END_DATE,CASELOAD",
    "allowances.csv": "CASE_ID,ALLOWANCE_TYPE,START_DATE,END_DATE,WEEKLY_AMOUNT",
    "actions.csv": "ACTION_ID,KIND,TITLE,SERVICE_LINE,OWNER,FINANCIAL_YEAR,VALUE,CONFIDENCE,"
    "STATUS,DUE_DATE,NOTES",
}

# DOMAIN.md's PLACE -> category table; None means no placement cost.
FOSTER = {"U4", "U5", "U6"}
PUBLIC = {"PR1", "PR2", "PR3"}
BY_PLACE: dict[str, str | None] = {
    **dict.fromkeys(("U1", "U2", "U3"), "placements_kinship"),
    **dict.fromkeys(("K2", "R1", "S1"), "placements_residential"),
    "K1": "placements_secure",
    **dict.fromkeys(("H5", "P2"), "placements_supported"),
    "R3": "placements_parent_child",
    "P1": None,
    **dict.fromkeys(("A3", "A4", "A5", "A6"), None),
    **dict.fromkeys(("R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"), "placements_other"),
}
ALL_PROVIDERS = {"PR1", "PR2", "PR3", "PR4", "PR5"}
ALLOWED_PROVIDERS = {
    **{key: {"PR1"} for key in ("U1", "U2", "U3")},
    **dict.fromkeys(FOSTER, ALL_PROVIDERS),
    **dict.fromkeys(("K2", "R1", "S1", "H5", "P2", "R3", "A3", "A4", "A5", "A6"), ALL_PROVIDERS),
    "K1": {"PR1", "PR2", "PR3"},
    "P1": {"PR0"},
    **dict.fromkeys(("R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"), ALL_PROVIDERS),
}


def category(place: str, provider: str) -> str | None:
    if place in FOSTER:
        return "placements_in_house" if provider in PUBLIC else "placements_ifa"
    return BY_PLACE[place]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def ssda(text: str) -> date:
    day, month, year = text.split("/")
    return date(int(year), int(month), int(day))


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.csv"))}


def days_in(start: date, end: date | None, first: date, last: date) -> int:
    """Days of [start, end] (inclusive; None = open) inside [first, last]."""
    hi = last if end is None else min(end, last)
    return max(0, (hi - max(start, first)).days + 1)


def optional_date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoManifest, float]:
    out = tmp_path_factory.mktemp("demo")
    started = time.perf_counter()
    manifest = generate_demo_files(out)
    return out, manifest, time.perf_counter() - started


@pytest.fixture(scope="module")
def frictionless(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    out = tmp_path_factory.mktemp("frictionless")
    return out, generate_demo_files(out, DemoProfile(frictions=Frictions.none()))


def test_the_default_demo_takes_well_under_ten_seconds(
    demo: tuple[Path, DemoManifest, float],
) -> None:
    assert demo[2] < 10


def test_same_profile_writes_identical_bytes_and_a_rerun_replaces_old_files(
    demo: tuple[Path, DemoManifest, float], tmp_path: Path
) -> None:
    stale = tmp_path / "extracts" / "2099-01" / "episodes.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("left over from an earlier run\n")
    messages: list[str] = []
    generate_demo_files(tmp_path, on_progress=messages.append)
    assert files(tmp_path) == files(demo[0])
    assert not stale.exists()
    assert "Writing monthly extract 2018-09" in messages


def test_another_seed_makes_another_council(
    demo: tuple[Path, DemoManifest, float], tmp_path: Path
) -> None:
    generate_demo_files(tmp_path, DemoProfile(seed=7))
    name = "extracts/2018-09/episodes.csv"
    assert (tmp_path / name).read_bytes() != (demo[0] / name).read_bytes()


def test_steps_are_the_annual_returns_then_reference_data_then_monthly_extracts(
    demo: tuple[Path, DemoManifest, float],
) -> None:
    out, manifest, _ = demo
    assert (manifest.council_name, manifest.la_code) == ("Demo Borough (fictional)", "209")
    assert manifest.current_period == "2018-09"
    dates = [step.as_of for step in manifest.steps]
    assert dates == sorted(dates)
    labels = [step.label for step in manifest.steps]
    returns = [f"SSDA903 return {y}-{(y + 1) % 100:02d}" for y in range(2012, 2018)]
    extracts = [
        f"Monthly extract {y}-{m:02d}"
        for y, m in [(2017, m) for m in range(4, 13)] + [(2018, m) for m in range(1, 10)]
    ]
    assert [label for label in labels if label.startswith("SSDA903")] == returns
    assert [label for label in labels if label.startswith("Monthly")] == extracts
    assert labels.index("SSDA903 return 2016-17") < 5 < labels.index("Monthly extract 2017-04")
    reference = manifest.steps[5]
    assert reference.as_of == date(2017, 4, 1)
    assert [p.name for p in reference.paths] == ["cost_centres.csv", "budget.csv", "actions.csv"]
    for step in manifest.steps:
        for path in step.paths:
            assert path.is_file()
            assert out in path.parents
    last = manifest.steps[-1]
    assert last.as_of == date(2018, 9, 30)
    assert {p.name for p in last.paths} == {
        "header.csv",
        "episodes.csv",
        "placement_costs.csv",
        "gl_actuals.csv",
        "establishment.csv",
        "allowances.csv",
    }


def test_every_file_has_exactly_the_formats_md_columns(
    demo: tuple[Path, DemoManifest, float],
) -> None:
    for step in demo[1].steps:
        for path in step.paths:
            first_line = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
            assert first_line == COLUMNS[path.name], path


def test_31_march_counts_follow_the_case_study(demo: tuple[Path, DemoManifest, float]) -> None:
    expected = {2013: 506, 2014: 516, 2015: 489, 2016: 440, 2017: 467, 2018: 494}
    for year, count in expected.items():
        label = f"{year - 1}-{year % 100:02d}"
        episodes = rows(demo[0] / "ssda903" / label / "episodes.csv")
        looked_after = {e["CHILD"] for e in episodes if not e["DEC"]}
        assert abs(len(looked_after) - count) <= 0.08 * count, (label, len(looked_after))


def test_august_2018_mix_is_near_the_case_study(demo: tuple[Path, DemoManifest, float]) -> None:
    episodes = rows(demo[0] / "extracts" / "2018-08" / "episodes.csv")
    open_now = [e for e in episodes if not e["DEC"]]
    total = len(open_now)
    mix = Counter(category(e["PLACE"], e["PLACE_PROVIDER"]) for e in open_now)
    assert abs(total - 494) <= 0.08 * 494
    assert mix["placements_in_house"] / total == pytest.approx(0.36, abs=0.05)
    assert mix["placements_ifa"] / total == pytest.approx(0.42, abs=0.05)
    high_cost = mix["placements_residential"] + mix["placements_supported"]
    assert high_cost / total == pytest.approx(0.164, abs=0.04)
    assert 25 <= mix["placements_residential"] <= 45


def test_every_episode_has_a_valid_place_and_provider(
    demo: tuple[Path, DemoManifest, float],
) -> None:
    for path in demo[0].rglob("episodes.csv"):
        for episode in rows(path):
            place, provider = episode["PLACE"], episode["PLACE_PROVIDER"]
            assert provider in ALLOWED_PROVIDERS[place], (path, episode)


def birthday(born: date, age: int) -> date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # 29 February
        return date(born.year + age, 3, 1)


def test_children_are_under_18_at_every_episode_start_and_episodes_never_overlap(
    demo: tuple[Path, DemoManifest, float],
) -> None:
    folders = [*(demo[0] / "ssda903").iterdir(), demo[0] / "extracts" / "2018-09"]
    for folder in folders:
        dob = {c["CHILD"]: ssda(c["DOB"]) for c in rows(folder / "header.csv")}
        by_child: dict[str, list[dict[str, str]]] = defaultdict(list)
        for episode in rows(folder / "episodes.csv"):
            by_child[episode["CHILD"]].append(episode)
        for child, episodes in by_child.items():
            born = dob[child]
            episodes.sort(key=lambda e: ssda(e["DECOM"]))
            for i, episode in enumerate(episodes):
                start = ssda(episode["DECOM"])
                assert start < birthday(born, 18), (folder, child)
                if episode["PLACE"] in {"H5", "P2"}:  # supported accommodation: 16-17 only
                    assert start >= birthday(born, 16), (folder, child)
                if i < len(episodes) - 1:
                    assert episode["DEC"], (folder, child)
                    assert ssda(episode["DECOM"]) < ssda(episode["DEC"])
                    assert ssda(episode["DEC"]) <= ssda(episodes[i + 1]["DECOM"])
                    assert episode["REC"] == "X1"
                if not episode["DEC"]:
                    assert episode["REC"] == ""


def test_nothing_is_known_before_it_happens(demo: tuple[Path, DemoManifest, float]) -> None:
    folder = demo[0] / "extracts" / "2017-10"
    as_of = date(2017, 10, 31)
    for episode in rows(folder / "episodes.csv"):
        assert ssda(episode["DECOM"]) <= as_of
        assert not episode["DEC"] or ssda(episode["DEC"]) <= as_of
    for commitment in rows(folder / "placement_costs.csv"):
        assert date.fromisoformat(commitment["START_DATE"]) <= as_of
        end = optional_date(commitment["END_DATE"])
        assert end is None or end <= as_of
    assert {row["PERIOD"] for row in rows(folder / "gl_actuals.csv")} == {"2017-10"}


def test_commitments_post_to_a_cost_centre_of_their_own_line(
    demo: tuple[Path, DemoManifest, float],
) -> None:
    line_of = {
        c["COST_CENTRE"]: c["SERVICE_LINE"] for c in rows(demo[0] / "finance" / "cost_centres.csv")
    }
    for path in (demo[0] / "extracts").rglob("placement_costs.csv"):
        for commitment in rows(path):
            assert line_of[commitment["COST_CENTRE"]] == commitment["PLACEMENT_TYPE"]
    for path in (demo[0] / "extracts").rglob("gl_actuals.csv"):
        assert {row["COST_CENTRE"] for row in rows(path)} <= set(line_of)


def test_without_frictions_every_costed_placement_has_a_matching_commitment(
    frictionless: Demo,
) -> None:
    folder = frictionless[0] / "extracts" / "2018-09"
    expected: Counter[tuple[str, str]] = Counter()
    for episode in rows(folder / "episodes.csv"):
        if not episode["DEC"]:
            line = category(episode["PLACE"], episode["PLACE_PROVIDER"])
            if line is not None:
                expected[(episode["CHILD"], line)] += 1
    committed = Counter(
        (c["CHILD"], c["PLACEMENT_TYPE"])
        for c in rows(folder / "placement_costs.csv")
        if not c["END_DATE"]
    )
    assert committed == expected


def test_frictions_change_what_finance_sees_but_not_the_world(
    demo: tuple[Path, DemoManifest, float], frictionless: Demo
) -> None:
    month = Path("extracts") / "2018-09"
    assert (demo[0] / month / "episodes.csv").read_bytes() == (
        frictionless[0] / month / "episodes.csv"
    ).read_bytes()
    assert demo[1].true_outturn == frictionless[1].true_outturn
    seen = {
        (c["CHILD"], c["START_DATE"]): c["END_DATE"]
        for c in rows(demo[0] / month / "placement_costs.csv")
    }
    truth = {
        (c["CHILD"], c["START_DATE"]): c["END_DATE"]
        for c in rows(frictionless[0] / month / "placement_costs.csv")
    }
    keyed_late = set(truth) - set(seen)
    left_open = [key for key, end in seen.items() if not end and truth.get(key)]
    assert 0 < len(keyed_late) < 0.1 * len(truth)
    assert 0 < len(left_open) < 0.1 * len(truth)
    gl = Path("extracts") / "2018-06" / "gl_actuals.csv"
    arrears = [r for r in rows(demo[0] / gl) if r["DESCRIPTION"].endswith("arrears")]
    assert arrears
    assert not [r for r in rows(frictionless[0] / gl) if r["DESCRIPTION"].endswith("arrears")]


def test_placement_ledger_is_the_cost_of_the_placements_that_month(frictionless: Demo) -> None:
    """June 2018: each placement cost centre's ledger equals the sum over commitments of
    WEEKLY_COST x days in June / 7, less contributions (CONTRIBUTION_PCT of that), to the penny."""
    folder = frictionless[0] / "extracts"
    first, last = date(2018, 6, 1), date(2018, 6, 30)
    expected: dict[str, Fraction] = defaultdict(Fraction)
    for c in rows(folder / "2018-09" / "placement_costs.csv"):
        days = days_in(
            date.fromisoformat(c["START_DATE"]), optional_date(c["END_DATE"]), first, last
        )
        gross = Fraction(c["WEEKLY_COST"]) * days / 7
        share = Fraction(c["CONTRIBUTION_PCT"] or "0") / 100
        expected[c["COST_CENTRE"]] += gross - gross * share
    ledger: dict[str, Fraction] = defaultdict(Fraction)
    for row in rows(folder / "2018-06" / "gl_actuals.csv"):
        ledger[row["COST_CENTRE"]] += Fraction(row["AMOUNT"])
    assert len(expected) >= 6
    for centre, amount in expected.items():
        assert abs(ledger[centre] - amount) <= Fraction(1, 100), centre


def test_staffing_and_allowance_ledgers_are_the_posts_and_cases_that_month(
    demo: tuple[Path, DemoManifest, float],
) -> None:
    folder = demo[0] / "extracts" / "2018-06"
    first, last = date(2018, 6, 1), date(2018, 6, 30)
    ledger: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
    for row in rows(folder / "gl_actuals.csv"):
        ledger[(row["COST_CENTRE"], row["ACCOUNT"])] += Fraction(row["AMOUNT"])
    staffing: dict[str, Fraction] = defaultdict(Fraction)
    for post in rows(folder / "establishment.csv"):
        if post["STATUS"] != "vacant":
            staffing[post["TEAM"]] += Fraction(post["ANNUAL_COST"]) * 30 / 365
    teams_total = sum(staffing.values(), Fraction(0))
    ledger_staff = sum(
        (v for (centre, account), v in ledger.items() if account in {"1001", "1201"}),
        Fraction(0),
    )
    assert abs(ledger_staff - teams_total) <= Fraction(len(staffing) * 2, 100)
    centre = {"sgo": "CS1301", "cao": "CS1302", "adoption": "CS1303"}
    allowances: dict[str, Fraction] = defaultdict(Fraction)
    for case in rows(folder / "allowances.csv"):
        days = days_in(
            date.fromisoformat(case["START_DATE"]), optional_date(case["END_DATE"]), first, last
        )
        allowances[centre[case["ALLOWANCE_TYPE"]]] += Fraction(case["WEEKLY_AMOUNT"]) * days / 7
    for code, amount in allowances.items():
        assert abs(ledger[(code, "4301")] - amount) <= Fraction(1, 100), code


def test_true_outturn_is_the_year_of_ledger_once_every_posting_has_arrived(
    demo: tuple[Path, DemoManifest, float],
) -> None:
    out, manifest, _ = demo
    line_of = {
        c["COST_CENTRE"]: c["SERVICE_LINE"] for c in rows(out / "finance" / "cost_centres.csv")
    }
    totals: dict[str, Fraction] = defaultdict(Fraction)
    for month in [f"2017-{m:02d}" for m in range(4, 13)] + [f"2018-0{m}" for m in (1, 2, 3)]:
        for row in rows(out / "extracts" / month / "gl_actuals.csv"):
            totals[line_of[row["COST_CENTRE"]]] += Fraction(row["AMOUNT"])
    truth = manifest.true_outturn["2017-18"]
    assert {line: Fraction(str(v)) for line, v in truth.items() if v} == {
        line: v for line, v in totals.items() if v
    }
    assert set(manifest.true_outturn) >= {"2017-18", "2018-19"}


def test_budget_and_outturn_are_shaped_like_the_case_study(
    demo: tuple[Path, DemoManifest, float],
) -> None:
    out, manifest, _ = demo
    budget: dict[str, dict[str, float]] = defaultdict(dict)
    for line in rows(out / "finance" / "budget.csv"):
        budget[line["FINANCIAL_YEAR"]][line["SERVICE_LINE"]] = float(line["BUDGET"])
    assert sum(budget["2018-19"].values()) == pytest.approx(41.6e6, abs=0.1e6)
    truth = {line: float(v) for line, v in manifest.true_outturn["2018-19"].items()}
    overspend = {line: truth[line] - budget["2018-19"].get(line, 0.0) for line in truth}
    assert 11e6 <= sum(overspend.values()) <= 14e6
    assert 3.5e6 <= overspend["staffing"] <= 5e6
    placements = sum(v for line, v in overspend.items() if line.startswith("placements_"))
    assert 5e6 <= placements <= 10e6
    last_year = sum(float(v) for v in manifest.true_outturn["2017-18"].values())
    assert 11e6 <= last_year - sum(budget["2017-18"].values()) <= 14e6
    actions = rows(out / "finance" / "actions.csv")
    assert 6 <= len(actions) <= 12
    assert {a["KIND"] for a in actions} == {"saving", "action", "risk"}


def test_staffing_and_allowances_look_like_the_case_study(
    demo: tuple[Path, DemoManifest, float],
) -> None:
    folder = demo[0] / "extracts" / "2018-08"
    posts = [p for p in rows(folder / "establishment.csv") if p["STATUS"] != "vacant"]
    fte = sum(float(p["FTE"]) for p in posts)
    agency = sum(float(p["FTE"]) for p in posts if p["STATUS"] == "agency")
    assert fte == pytest.approx(353, abs=20)
    assert agency / fte == pytest.approx(0.317, abs=0.04)
    as_of = date(2018, 8, 31)
    live = Counter(
        a["ALLOWANCE_TYPE"]
        for a in rows(folder / "allowances.csv")
        if date.fromisoformat(a["END_DATE"]) > as_of
    )
    assert 150 <= live["sgo"] <= 260
    assert live["adoption"] < live["sgo"]


def test_a_profile_can_describe_another_council(tmp_path: Path) -> None:
    profile = replace(
        DemoProfile(seed=11, current_period="2016-02", first_financial_year="2013-14"),
        growth_by_year={"2014-15": 0.15},
        start_children=300,
    )
    manifest = generate_demo_files(tmp_path, profile)
    assert manifest.current_period == "2016-02"
    assert manifest.steps[-1].as_of == date(2016, 2, 29)
    episodes = rows(tmp_path / "ssda903" / "2014-15" / "episodes.csv")
    looked_after = len({e["CHILD"] for e in episodes if not e["DEC"]})
    assert looked_after == pytest.approx(345, rel=0.1)
    assert set(manifest.true_outturn) == {"2013-14", "2014-15", "2015-16"}
    assert manifest.steps[-1].as_of - manifest.steps[0].as_of > timedelta(days=600)


def test_extract_years_reaches_further_back_for_a_fair_backtest(tmp_path: Path) -> None:
    """Two years of monthly extracts: last year's backtest has a complete ledger year before it."""
    manifest = generate_demo_files(tmp_path, DemoProfile(extract_years=2))
    extracts = [s for s in manifest.steps if s.label.startswith("Monthly")]
    assert extracts[0].label == "Monthly extract 2016-04"
    assert len(extracts) == 12 + 12 + 6
    reference = next(s for s in manifest.steps if s.label.startswith("Finance"))
    assert reference.as_of == date(2016, 4, 1)  # the ledger can be mapped from the first extract
    with pytest.raises(ValueError, match="extract_years"):
        DemoProfile(extract_years=7)
