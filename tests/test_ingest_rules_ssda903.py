"""SSDA903 rules: each collection year's codes, episode consistency, and checks across the tables.

Every file here is a few hand-written rows (synthetic CHILD ids); rows are spreadsheet rows.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from carecast.errors import Issue, Severity
from carecast.ingest.loader import parse_paths
from carecast.ingest.rules import IMPORT_RULES, RULES, RuleContext
from carecast.ingest.ssda903_years import YEARS, codes_in, financial_year_of, year_index
from tests.conftest import SHARED, Writer

EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"


def issues_of(paths: list[Path], as_of: date | None) -> list[Issue]:
    _parsed, issues = parse_paths(paths, RuleContext(as_of))
    return issues


def found(
    paths: list[Path], as_of: date | None = date(2019, 3, 31)
) -> list[tuple[str, int | None]]:
    """(rule, row) of every issue, in file order."""
    return [(i.rule, i.row) for i in issues_of(paths, as_of)]


def episode(
    child: str = "A1",
    decom: str = "01/05/2018",
    place: str = "U4",
    provider: str = "PR1",
    dec: str = "",
    rec: str = "",
    rne: str = "S",
) -> str:
    return f"{child},{decom},{rne},C2,N1,{place},{provider},{dec},{rec},,,,\n"


# --- collection years and their codes ---------------------------------------------------------


def test_the_collection_year_is_the_financial_year_of_the_as_of_date() -> None:
    assert financial_year_of(date(2024, 3, 31)) == "2023-24"
    assert financial_year_of(date(2024, 4, 1)) == "2024-25"
    assert YEARS[year_index(date(2025, 9, 30))] == "2025-26"
    # Before the first and after the last year carecast knows, the nearest year's lists apply.
    assert YEARS[year_index(date(2013, 6, 1))] == "2017-18"
    assert YEARS[year_index(date(2031, 6, 1))] == "2025-26"


LIIA_SCHEMA = {  # collection year → liia-tools schema file (a schema is named by its year's end)
    "2017-18": "2018",
    "2018-19": "2019",
    "2019-20": "2020",
    "2020-21": "2021",
    "2021-22": "2022",
    "2022-23": "2023",
    "2023-24": "2024",
}


def schema_codes(schema: str, table: str, column: str) -> set[str]:
    """The codes of one column in a liia-tools SSDA903 schema, read from the YAML text."""
    text = (SHARED / "reference" / "specs" / f"SSDA903_schema_{schema}.yml").read_text()
    tables = re.split(r"\n    (?=\w+:\n)", text)
    body = next(t for t in tables if t.startswith(f"{table}:"))
    columns = re.split(r"\n      (?=\w+:\n)", body)
    spec = next(c for c in columns if c.startswith(f"{column}:"))
    return {c.strip() for c in re.findall(r'- code: "([^"]*)"', spec)}


@pytest.mark.parametrize("year", list(LIIA_SCHEMA))
@pytest.mark.parametrize(
    ("table", "dataset", "column"),
    [
        ("Episodes", "ssda903_episodes", "PLACE"),
        ("Episodes", "ssda903_episodes", "REC"),
        ("Episodes", "ssda903_episodes", "RNE"),
        ("Episodes", "ssda903_episodes", "LS"),
        ("Episodes", "ssda903_episodes", "REASON_PLACE_CHANGE"),
        ("Header", "ssda903_header", "SEX"),
        ("OC3", "ssda903_oc3", "ACTIV"),
    ],
)
def test_each_years_codes_are_those_of_its_dfe_specification(
    year: str, table: str, dataset: str, column: str
) -> None:
    expected = schema_codes(LIIA_SCHEMA[year], table, column)
    if year == "2023-24" and column == "SEX":
        expected = {"1", "2"}
    assert codes_in(dataset, column, YEARS.index(year)) == expected


def test_the_changes_since_the_last_published_schema() -> None:
    def place(year: str) -> frozenset[str]:
        return codes_in("ssda903_episodes", "PLACE", YEARS.index(year))

    assert codes_in("ssda903_header", "SEX", YEARS.index("2023-24")) == {"1", "2"}
    assert codes_in("ssda903_header", "SEX", YEARS.index("2024-25")) == {"M", "F", "U"}
    assert place("2024-25") - place("2023-24") == {"K3"}
    assert place("2025-26") - place("2024-25") == {"Z11", "Z12", "Z13", "Z14"}
    assert place("2024-25") - place("2025-26") == {"H5", "P2", "Z1"}
    assert "E43" in codes_in("ssda903_episodes", "REC", YEARS.index("2017-18"))
    assert "E43" not in codes_in("ssda903_episodes", "REC", YEARS.index("2018-19"))


def test_a_place_code_of_another_year_is_an_error_naming_the_years(write: Writer) -> None:
    path = write("episodes.csv", EPISODES + episode(place="H5", provider="PR4"))
    [issue] = issues_of([path], date(2025, 6, 30))
    assert issue.format() == (
        f"{path}:2:PLACE: invalid-place: 'H5' is not a valid PLACE in 2025-26 (valid up to "
        "2024-25); valid codes in 2025-26: A3, A4, A5, A6, K1, K2, K3, P1, P3, R1, R2, R3, R5, "
        "S1, T0, T1, T2, T3, T4, U1, U2, U3, U4, U5, U6, Z11, Z12, Z13, Z14; use a code of the "
        "collection year (DfE's SSDA903 guide for that year)"
    )
    assert issue.severity is Severity.ERROR
    # The same file is fine in 2024-25, and K3 is not yet a code in 2023-24.
    assert issues_of([path], date(2024, 6, 30)) == []
    k3 = write("k3.csv", EPISODES + episode(place="K3", provider="PR4"))
    assert [(i.rule, i.row) for i in issues_of([k3], date(2024, 3, 31))] == [("invalid-place", 2)]
    assert "valid from 2024-25" in issues_of([k3], date(2024, 3, 31))[0].message


def test_an_unknown_code_is_unknown_in_every_year(write: Writer) -> None:
    path = write("episodes.csv", EPISODES + episode(place="Q9"))
    [issue] = issues_of([path], None)
    assert "'Q9' is not a code of PLACE in any collection year" in issue.message


def test_an_episode_ended_in_an_earlier_year_keeps_its_years_codes(write: Writer) -> None:
    """A full history is not recoded when DfE withdraws a code: Z1 ended in 2020 stays valid."""
    path = write(
        "episodes.csv",
        EPISODES
        + episode("A1", "01/05/2019", "Z1", "", "01/06/2020", "X1")
        + episode("A1", "01/06/2020", "U4", "PR1")
        + episode("B2", "01/05/2025", "Z1", ""),
    )
    # An open Z1 in 2025-26 is both withdrawn and, no longer being "other", missing a provider.
    assert found([path], date(2025, 9, 30)) == [("invalid-place", 4), ("provider-missing", 4)]


def test_sex_is_one_or_two_until_2023_24_and_m_f_u_from_2024_25(write: Writer) -> None:
    path = write("header.csv", HEADER + "A1,1,01/01/2010,WBRI,,,\nA2,M,01/01/2010,WBRI,,,\n")
    assert found([path], date(2024, 3, 31)) == [("invalid-sex", 3)]
    assert found([path], date(2024, 4, 1)) == [("invalid-sex", 2)]
    [issue] = issues_of([path], date(2024, 4, 1))
    assert issue.severity is Severity.ERROR  # a code of another collection year blocks the import
    assert "'1' is not a valid SEX in 2024-25 (valid up to 2023-24)" in issue.message


def test_child_identifiers_are_text_and_keep_their_leading_zeros(write: Writer) -> None:
    path = write("header.csv", HEADER + "00123,1,01/01/2010,WBRI,,,\nAB-9x,2,01/01/2011,WBRI,,,\n")
    parsed, issues = parse_paths([path], RuleContext(date(2019, 3, 31)))
    assert issues == []
    assert parsed[0].frame["CHILD"].to_list() == ["00123", "AB-9x"]


# --- episodes ----------------------------------------------------------------------------------


def test_an_episode_ending_before_it_starts(write: Writer) -> None:
    path = write("e.csv", EPISODES + episode(decom="01/06/2018", dec="01/05/2018", rec="E8"))
    [issue] = issues_of([path], date(2019, 3, 31))
    assert issue.format() == (
        f"{path}:2:DEC: dec-before-decom: DEC 2018-05-01 is before DECOM 2018-06-01; "
        "correct DEC or DECOM"
    )


def test_overlapping_episodes_of_one_child_are_located_at_the_later_one(write: Writer) -> None:
    path = write(
        "e.csv",
        EPISODES
        + episode("A1", "01/06/2018", dec="01/09/2018", rec="X1", rne="P")  # row 2: overlaps
        + episode("A1", "01/04/2018", dec="15/06/2018", rec="X1")  # row 3: earliest
        + episode("B2", "15/06/2018", dec="01/09/2018", rec="E8"),  # another child
    )
    assert found([path]) == [("overlapping-episodes", 2)]
    [issue] = issues_of([path], date(2019, 3, 31))
    assert issue.message.startswith(
        "this episode starts 2018-06-01 but the child's previous episode (from 2018-04-01) "
        "ends 2018-06-15"
    )


def test_only_a_childs_latest_episode_may_be_open(write: Writer) -> None:
    path = write(
        "e.csv",
        EPISODES
        + episode("A1", "01/04/2018")  # open, but a later episode follows
        + episode("A1", "01/06/2018", rne="P")  # the latest: may be open
        + episode("B2", "01/04/2018", dec="01/05/2018"),  # ended, no REC, the latest
    )
    assert found([path]) == [
        ("earlier-episode-open", 2),
        ("dec-rec-mismatch", 4),
    ]
    rules = {i.rule: i.severity for i in issues_of([path], date(2019, 3, 31))}
    assert rules == {"earlier-episode-open": Severity.ERROR, "dec-rec-mismatch": Severity.WARNING}


def test_a_dec_that_is_no_date_is_one_problem_not_also_an_open_episode(write: Writer) -> None:
    """The unreadable cell is the mistake; the rules judge the row once it reads."""
    path = write(
        "e.csv",
        EPISODES
        + episode("A1", "01/04/2018", dec="31/02/2019", rec="E11")  # no such day
        + episode("A1", "01/06/2018", rne="P")
        + episode("B2", "01/04/2018", dec="01/05/2018"),  # its own mistake: no REC
    )
    assert found([path]) == [("bad-date", 2), ("dec-rec-mismatch", 4)]
    issue = issues_of([path], date(2019, 3, 31))[0]
    assert (issue.column, issue.message) == ("DEC", "'31/02/2019' is not a real calendar date")


def test_dates_after_the_collection_year_need_a_later_as_of(write: Writer) -> None:
    path = write(
        "e.csv",
        EPISODES
        + episode("A1", "01/04/2018", dec="01/04/2019", rec="E8")
        + episode("B2", "02/04/2019"),
    )
    assert found([path], date(2019, 3, 31)) == [
        ("dec-after-year-end", 2),
        ("decom-after-year-end", 3),
    ]
    assert found([path], date(2019, 4, 30)) == []


def test_providers_must_fit_the_placement(write: Writer) -> None:
    path = write(
        "e.csv",
        EPISODES
        + episode("A1", place="T2", provider="PR4")  # temporary: takes no provider
        + episode("A2", place="U4", provider="")  # fostering needs one
        + episode("A3", place="K2", provider="PR0")  # PR0 only with P1
        + episode("A4", place="U5", provider="PR3")  # other public body cannot foster
        + episode("A5", place="P1", provider="PR0")  # fine
        + episode("A6", place="Z1", provider=""),  # fine
    )
    assert found([path]) == [
        ("provider-not-needed", 2),
        ("provider-missing", 3),
        ("provider-place-mismatch", 4),
        ("provider-place-mismatch", 5),
    ]
    severity = {i.rule: i.severity for i in issues_of([path], date(2019, 3, 31))}
    assert severity["provider-missing"] is Severity.ERROR
    assert severity["provider-place-mismatch"] is Severity.WARNING


# --- across the tables of one import -----------------------------------------------------------


def test_age_at_an_episode_comes_from_the_header_in_the_same_import(write: Writer) -> None:
    header = write("header.csv", HEADER + "A1,1,10/05/2000,WBRI,,,\nB2,2,01/01/2005,WBRI,,,\n")
    episodes = write(
        "episodes.csv",
        EPISODES
        + episode("A1", "09/05/2018", dec="10/05/2018", rec="X1")  # the day before 18
        + episode("A1", "10/05/2018", rne="P")  # on the 18th birthday
        + episode("B2", "01/06/2023"),  # started care at 18
    )
    assert found([header, episodes], date(2024, 3, 31)) == [
        ("episode-after-18", 3),
        ("started-care-aged-18", 4),
    ]
    # Without the header in the import there is no DOB to check against.
    assert found([episodes], date(2024, 3, 31)) == []


def test_other_tables_must_agree_with_the_header(write: Writer) -> None:
    header = write("header.csv", HEADER + "A1,1,10/05/2005,WBRI,,,\n")
    uasc = write("uasc.csv", "CHILD,SEX,DOB,DUC\nA1,2,11/05/2005,\nZ9,1,01/01/2006,\n")
    issues = issues_of([header, uasc], date(2019, 3, 31))
    assert [(i.rule, i.row, i.column) for i in issues if i.rule != "not-used"] == [
        ("dob-differs-from-header", 2, "DOB"),
        ("sex-differs-from-header", 2, "SEX"),
        ("child-not-in-header", 3, "CHILD"),
    ]
    # UASC is not stored, so its problems cannot block an import.
    assert {i.severity for i in issues} == {Severity.WARNING}


def test_a_child_on_two_header_rows_is_flagged_on_both(write: Writer) -> None:
    path = write("header.csv", HEADER + "A1,1,01/01/2010,WBRI,,,\nA1,1,01/01/2010,WBRI,,,\n")
    assert found([path]) == [("duplicate-child", 2), ("duplicate-child", 3)]


def test_the_fixture_return_has_no_cross_table_problems() -> None:
    folder = SHARED / "fixtures" / "ssda903_fake"
    issues = issues_of([folder / "header.csv", folder / "episodes.csv"], date(2023, 3, 31))
    assert not [i for i in issues if i.rule in ("started-care-aged-18", "episode-after-18")]


# --- properties and documentation ---------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    place=st.sampled_from([*sorted(codes_in("ssda903_episodes", "PLACE", None)), "Q9", "z11"]),
    year=st.integers(0, len(YEARS) - 1),
)
def test_a_place_is_flagged_exactly_when_the_year_does_not_list_it(
    tmp_path_factory: pytest.TempPathFactory, place: str, year: int
) -> None:
    path = tmp_path_factory.mktemp("p") / "e.csv"
    provider = "" if place.upper().startswith(("T", "Z")) else "PR1"
    path.write_text(EPISODES + episode(place=place, provider=provider, decom="01/05/2017"))
    as_of = date(2017 + year, 9, 30)
    flagged = ("invalid-place", 2) in found([path], as_of)
    assert flagged is (place.upper() not in codes_in("ssda903_episodes", "PLACE", year))


def test_every_rule_is_documented() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "validation-rules.md").read_text()
    codes = {r.code for r in RULES} | {r.code for r in IMPORT_RULES}
    assert {c for c in codes if f"`{c}`" not in text} == set()


ORDER_CASES = [
    episode("A1", "01/04/2018", dec="01/06/2018", rec="E11"),
    episode("A1", "01/05/2018", rne="P"),  # starts before the previous one ends
    episode("A1", "01/07/2018", rne="P"),  # the one before is still open
    episode("B2", "01/04/2018"),  # open, and B2 has a later episode
    episode("B2", "01/09/2018", rne="P", dec="01/10/2018", rec="E11"),
    episode("C3", "01/04/2018", dec="01/05/2018", rec="E11"),
]


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(len(ORDER_CASES))))
@example(order=list(range(len(ORDER_CASES))))  # listed by child: the order sorts as it is
@example(order=[5, 4, 3, 2, 1, 0])  # by child, backwards
def test_episode_findings_do_not_depend_on_the_order_of_the_rows(
    tmp_path_factory: pytest.TempPathFactory, order: list[int]
) -> None:
    """A return sorted by child, by date or not at all: the same episodes are flagged."""
    folder = tmp_path_factory.mktemp("order")
    path = folder / "e.csv"
    path.write_text(EPISODES + "".join(ORDER_CASES[i] for i in order), encoding="utf-8")
    # Each finding named by the episode it is on (its position in ORDER_CASES), not its row.
    named = {(rule, order[row - 2]) for rule, row in found([path]) if row is not None}
    assert named == {
        ("overlapping-episodes", 1),
        ("earlier-episode-open", 1),
        ("earlier-episode-open", 3),
    }


def test_a_frame_derived_for_the_rules_is_derived_once_per_table() -> None:
    from carecast.ingest.rules import per_frame

    calls: list[int] = []

    @per_frame
    def counted(frame: pl.DataFrame) -> pl.DataFrame:
        calls.append(frame.height)
        return frame.head(1)

    table, other = pl.DataFrame({"a": [1, 2]}), pl.DataFrame({"a": [3, 4, 5]})
    assert counted(table).rows() == counted(table).rows() == [(1,)]
    assert counted(other).rows() == [(3,)]
    assert calls == [2, 3]

    @per_frame
    def joined(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
        calls.append(left.height + right.height)
        return pl.concat([left, right])

    assert joined(table, other).height == joined(table, other).height == 5
    assert joined(other, table).height == 5  # another pair of tables: derived again
    assert calls == [2, 3, 5, 5]
