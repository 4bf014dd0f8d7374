"""Screening a file's rules in one query finds exactly what running every rule finds.

A rule may give a screen (rules.py): an expression true of every row its check could fail. The
screens of a file are asked together and only the rules whose screen picks a row run. That must
never lose a problem: on messy SSDA903 returns (codes of every collection year and none, open and
overlapping episodes, children given twice) and on the fuzzer's mutated finance and SSDA903 files,
for several as-of dates, every row a rule fails is one its screen picks, and the problems found
screened and unscreened are the same, in the same order.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from carecast.errors import Issue
from carecast.ingest.columns import ROW
from carecast.ingest.datasets import recognise
from carecast.ingest.loader import read_tables
from carecast.ingest.rules import RULES, RuleContext, run_rules, worth_running
from carecast.ingest.ssda903_years import code_table
from carecast.ingest.typed import column_positions, type_table
from tests.fuzz_inputs import CSV_IMPORTERS, csv_case

# Before any code list, in the middle of the years carecast knows, and unknown.
AS_OF_DATES = (date(2014, 3, 31), date(2018, 9, 30), date(2025, 6, 30), None)
EPISODE_COLUMNS = ("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC", "REASON_PLACE_CHANGE")
HEADER_COLUMNS = ("SEX", "ETHNIC", "MOTHER")


def _codes(dataset: str, column: str) -> list[str]:
    """Every code the column has had in any year, one in lower case, junk and an empty cell."""
    known = sorted(code_table()[(dataset, column)])
    return [*known, known[0].lower(), "XX", ""]


def _day(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return ""
    day = date(2012, 1, 1) + timedelta(days=rng.randrange(0, 365 * 14))
    return day.strftime("%d/%m/%Y")


def messy_return(seed: int, rows: int = 300) -> dict[str, str]:
    """A header and an episodes CSV of 40 children, every cell drawn at random."""
    rng = random.Random(seed)
    children = [f"C{n}" for n in range(40)]
    header = ["CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"]
    for child in children + rng.sample(children, 3):  # three children given twice
        cells = [rng.choice(_codes("ssda903_header", c)) for c in HEADER_COLUMNS]
        header.append(f"{child},{cells[0]},{_day(rng)},{cells[1]},,{cells[2]},")
    episodes = [
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
        "HOME_POST,PL_POST,URN"
    ]
    for _ in range(rows):
        codes = {c: rng.choice(_codes("ssda903_episodes", c)) for c in EPISODE_COLUMNS}
        episodes.append(
            f"{rng.choice(children)},{_day(rng)},{codes['RNE']},{codes['LS']},{codes['CIN']},"
            f"{codes['PLACE']},{codes['PLACE_PROVIDER']},{_day(rng)},{codes['REC']},"
            f"{codes['REASON_PLACE_CHANGE']},,,"
        )
    return {"header.csv": "\n".join(header) + "\n", "episodes.csv": "\n".join(episodes) + "\n"}


def both_ways(path: Path, context: RuleContext) -> tuple[list[Issue], list[Issue], int]:
    """The rules' problems screened and unscreened, and how many the rules found, checking on the
    way that every row a screened rule fails is one its screen picks."""
    screened: list[Issue] = []
    unscreened: list[Issue] = []
    for table in read_tables(path)[0]:
        positions = column_positions(table.header)
        dataset = recognise(set(positions)).dataset
        if dataset is None or recognise(set(positions)).missing:
            continue
        typed, _problems = type_table(table, dataset)
        for candidate in RULES:
            if candidate.dataset != dataset.name or candidate.column not in typed.columns:
                continue
            if candidate.screen is None:
                continue
            failed = set(candidate.check(typed, context).get_column(ROW).to_list())
            picked = typed.filter(candidate.screen(typed, context).fill_null(value=False))
            assert failed <= set(picked.get_column(ROW).to_list()), candidate.code
        spelled = {name: table.spelling(p) for name, p in positions.items()}
        screened += run_rules(table.source, dataset.name, typed, spelled, context)
        unscreened += run_rules(table.source, dataset.name, typed, spelled, context, screened=False)
    return screened, unscreened, len(unscreened)


@pytest.mark.parametrize("seed", range(6))
def test_messy_returns_give_the_same_problems_screened(tmp_path: Path, seed: int) -> None:
    found = 0
    for name, text in messy_return(seed).items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        for as_of in AS_OF_DATES:
            screened, unscreened, count = both_ways(path, RuleContext(as_of))
            assert screened == unscreened
            found += count
    # Random cells break many rules: the comparison is over hundreds of problems, not none.
    assert found > 500


def test_mutated_files_of_every_dataset_give_the_same_problems_screened(tmp_path: Path) -> None:
    found = 0
    for importer in CSV_IMPORTERS:
        for seed in range(40):
            case = csv_case(importer, seed)
            path = tmp_path / f"{seed}-{case.name}"
            path.write_bytes(case.data)
            for as_of in AS_OF_DATES[1:]:
                screened, unscreened, count = both_ways(path, RuleContext(as_of))
                assert screened == unscreened, (importer, seed)
                found += count
    assert found > 0


def test_a_clean_file_runs_only_the_rules_without_a_screen() -> None:
    # Two children, one episode each, every code valid in 2018-19: no screen picks a row.
    episodes = pl.DataFrame(
        {
            ROW: [2, 3],
            "CHILD": ["C1", "C2"],
            "DECOM": [date(2018, 5, 1), date(2017, 5, 1)],
            "RNE": ["S", "S"],
            "LS": ["C2", "C2"],
            "CIN": ["N1", "N1"],
            "PLACE": ["U4", "K2"],
            "PLACE_PROVIDER": ["PR4", "PR4"],
            "DEC": [None, None],
            "REC": [None, None],
        },
        schema_overrides={"DEC": pl.Date, "REC": pl.String},
    )
    context = RuleContext(date(2018, 9, 30))
    rules = [r for r in RULES if r.dataset == "ssda903_episodes" and r.column in episodes.columns]
    worth = worth_running(episodes, context, rules)
    running = {r.code for r, run in zip(rules, worth, strict=True) if run}
    assert running == {"overlapping-episodes", "earlier-episode-open"}
    assert run_rules("episodes.csv", "ssda903_episodes", episodes, {}, context) == []
