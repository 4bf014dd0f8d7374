"""carecast agrees with DfE's own SSDA903 validator (csc-validator-be-903 0.1.17) on shared rules.

The peer runs in its own virtual environment (scripts/peer-venvs.sh: it pins pandas < 2), through
its Python API, on the same files; for every rule both implement (docs/validation-rules.md) the
flagged rows of each table must be the same set. Without the peer environment this test fails.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from carecast.ingest.loader import ParsedFile, parse_paths
from carecast.ingest.rules import RuleContext
from carecast.ingest.rules_cross_file import ImportedFile, Known, cross_file_issues
from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parents[1]
PEER_PYTHON = ROOT / ".venv-peers" / "lac-validator" / "bin" / "python"
FIXTURES = SHARED / "fixtures" / "ssda903_fake"

# The peer's table names.
TABLES = {
    "ssda903_header": "Header",
    "ssda903_episodes": "Episodes",
    "ssda903_uasc": "UASC",
    "ssda903_reviews": "Reviews",
    "ssda903_missing": "Missing",
    "ssda903_oc2": "OC2",
    "ssda903_oc3": "OC3",
    "ssda903_ad1": "AD1",
    "ssda903_placed_for_adoption": "PlacedAdoption",
    "ssda903_prev_perm": "PrevPerm",
    "ssda903_sw_episodes": "SWEpisodes",
}

# DfE rule(s) → carecast rule(s), each as (rule, column or None for any column). Several DfE codes
# joined by "+" are compared as one set (carecast makes one rule of them).
AGREEMENT: dict[str, tuple[tuple[str, str | None], ...]] = {
    "101": (("invalid-sex", None), ("missing-value", "SEX")),
    "102": (("bad-date", "DOB"), ("missing-value", "DOB")),
    "103": (("invalid-ethnic", None),),
    "131": (("invalid-in-touch", None), ("missing-value", "IN_TOUCH")),
    "132": (("invalid-activ", None), ("missing-value", "ACTIV")),
    "133": (("invalid-accom", None), ("missing-value", "ACCOM")),
    "141": (("bad-date", "DECOM"),),
    "142": (("earlier-episode-open", None),),
    "143": (("invalid-rne", None),),
    "144": (("invalid-ls", None),),
    "145": (("invalid-cin", None),),
    "146": (("invalid-place", None),),
    "147": (("bad-date", "DEC"),),
    "148": (("dec-rec-mismatch", None),),
    "149": (("invalid-rec", None),),
    "167": (("invalid-review-code", None), ("missing-value", "REVIEW_CODE")),
    "178": (("invalid-place-provider", None), ("provider-not-needed", None)),
    "213": (("provider-not-needed", None),),
    "352": (("started-care-aged-18", None),),
    "354": (("decom-after-year-end", None),),
    "356": (("dec-before-decom", None),),
    "385": (("dec-after-year-end", None),),
    "501": (("overlapping-episodes", None),),
    "526": (("provider-missing", None),),
    "527+528+529+530+531+550": (("provider-place-mismatch", None),),
    "1009": (("invalid-reason-place-change", None),),
    "120": (("invalid-reason-placed-ceased", None),),
    "INT01+INT02+INT04+INT05+INT06+INT07+INT08+INT09": (("child-not-in-header", None),),
    "INT03": (("episode-without-header", None),),
    "INT11+INT12+INT13+INT14+INT15+INT16+INT17+INT18": (("dob-differs-from-header", None),),
    "INT21": (("sex-differs-from-header", None),),
    "INT32": (("duplicate-child", None),),
}

# DfE rules that concern one table only, where carecast's rule of the same name covers more.
ONLY_TABLES = {"101": {"Header"}}

# Where carecast deliberately differs from the peer, by (DfE rule, ruleset): the reason.
KNOWN_DIFFERENCES = {
    ("146", "lac2024_25"): "the peer's 2024-25 list lacks K3, which its own 2024-25 rules use",
    ("178", "lac2025_26"): "from 2025-26 the peer's 178 no longer flags a provider given with T4",
    **{
        ("213", ruleset): "until 2025-26 the peer's 213 leaves out Z1, which its 178 includes"
        for ruleset in ("lac2022_23", "lac2023_24", "lac2024_25")
    },
    ("133", "lac2022_23"): "the peer's ACCOM list lacks S1, which DfE's specification has",
}
# carecast keeps a code on an episode that ended before the collection year if it was valid the
# year the episode ended (DfE's return holds only the year's episodes): the peer's flag on such a
# row is not counted against carecast.
EPISODE_CODE_RULES = {"143", "144", "145", "146", "149", "1009", "526"}


@dataclass(frozen=True)
class Scenario:
    name: str
    ruleset: str  # the peer's rule set
    collection_year: str  # the peer's name for it: the year the collection ends
    as_of: date  # carecast's import date within that year
    files: tuple[Path, ...]


Locations = dict[str, dict[str, list[int]]]  # rule → table → 0-based row positions
ENDED_EARLIER = "__ended_before_the_collection_year"

PEER_RUNNER = """
import importlib, json, logging, sys
logging.disable(logging.CRITICAL)
from lac_validator.ingress import read_files
from lac_validator.lac_validator import LacValidator
results = []
for scenario in json.loads(sys.stdin.read()):
    registry = importlib.import_module("lac_validator.rules." + scenario["ruleset"]).registry
    metadata = {"collectionYear": scenario["collection_year"], "localAuthority": "E09000033"}
    validator = LacValidator(metadata, read_files(scenario["files"]), registry, scenario["rules"])
    flagged = {}
    for table, frame in validator.ds_results.items():
        if table == "metadata":
            continue
        for column in frame.columns:
            if column.startswith("ERR_"):
                rows = [int(i) for i in frame.index[frame[column] == True]]
                flagged.setdefault(column[4:], {})[table] = rows
    results.append({"flagged": flagged, "failed": validator.fails})
print(json.dumps(results))
"""


def peer_locations(scenarios: list[Scenario]) -> list[Locations]:
    """The peer's flagged rows per DfE rule, one run for every scenario (imports cost seconds)."""
    assert PEER_PYTHON.exists(), (
        f"{PEER_PYTHON} is missing: run 'bash scripts/peer-venvs.sh' (make test does)"
    )
    request = [
        {
            "ruleset": s.ruleset,
            "collection_year": s.collection_year,
            "files": [str(f) for f in s.files],
            "rules": sorted(_dfe_codes()),  # only the shared rules: the others cost time
        }
        for s in scenarios
    ]
    done = subprocess.run(
        [str(PEER_PYTHON), "-c", PEER_RUNNER],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])  # the peer prints too
    for result in results:
        assert result["failed"] == [] or set(result["failed"]).isdisjoint(_dfe_codes())
    return [r["flagged"] for r in results]


def _dfe_codes() -> set[str]:
    return {code for joined in AGREEMENT for code in joined.split("+")}


def carecast_locations(scenario: Scenario) -> Locations:
    """carecast's flagged rows per carecast rule, as 0-based positions in each table."""
    parsed, issues = parse_paths(list(scenario.files), RuleContext(scenario.as_of))
    imported = [ImportedFile(p.source, p.dataset.name, p.frame, p.spelled) for p in parsed]
    issues += cross_file_issues(imported, Known.nothing(), scenario.as_of)
    where = {(p.source, p.dataset.name): p for p in parsed}
    by_source = {p.source: p for p in parsed}
    found: Locations = {}
    start = date(scenario.as_of.year - (scenario.as_of.month < 4), 4, 1)
    for p in parsed:
        if p.dataset.name == "ssda903_episodes":
            ended = p.frame.with_row_index("__position").filter(pl.col("DEC") < start)
            found.setdefault(ENDED_EARLIER, {}).setdefault("Episodes", []).extend(
                ended["__position"].to_list()
            )
    for issue in issues:
        table = by_source.get(issue.source)
        if table is None or issue.row is None or table.dataset.name not in TABLES:
            continue
        position = _positions(where[(issue.source, table.dataset.name)]).get(issue.row)
        if position is None:
            continue
        for key in (issue.rule, f"{issue.rule}@{issue.column}"):
            found.setdefault(key, {}).setdefault(TABLES[table.dataset.name], []).append(position)
    return found


def _positions(parsed: ParsedFile) -> dict[int, int]:
    return {row: index for index, row in enumerate(parsed.frame["__row"].to_list())}


def _spelled_key(rule: str, column: str | None) -> str:
    return rule if column is None else f"{rule}@{column}"


def compare(scenario: Scenario, peer: Locations, ours: Locations) -> dict[str, str]:
    """Each compared DfE rule → 'agree (n rows)' or what differs."""
    outcome: dict[str, str] = {}
    for joined, ours_rules in AGREEMENT.items():
        if (joined, scenario.ruleset) in KNOWN_DIFFERENCES:
            continue
        codes = joined.split("+")
        theirs: dict[str, set[int]] = {}
        for code in codes:
            for table, rows in peer.get(code, {}).items():
                theirs.setdefault(table, set()).update(rows)
        mine: dict[str, set[int]] = {}
        for rule, column in ours_rules:
            for table, rows in ours.get(_spelled_key(rule, column), {}).items():
                mine.setdefault(table, set()).update(rows)
        if joined in EPISODE_CODE_RULES and "Episodes" in theirs:
            # The peer alone flags such a row only when its code was valid the year it ended.
            ended = set(ours.get(ENDED_EARLIER, {}).get("Episodes", []))
            theirs["Episodes"] -= ended - mine.get("Episodes", set())
        if joined in ONLY_TABLES:
            theirs = {t: r for t, r in theirs.items() if t in ONLY_TABLES[joined]}
            mine = {t: r for t, r in mine.items() if t in ONLY_TABLES[joined]}
        differences = [
            f"{table}: peer only {sorted(theirs.get(table, set()) - mine.get(table, set()))[:8]}, "
            f"carecast only {sorted(mine.get(table, set()) - theirs.get(table, set()))[:8]}"
            for table in sorted(set(theirs) | set(mine))
            if theirs.get(table, set()) != mine.get(table, set())
        ]
        total = sum(len(rows) for rows in theirs.values())
        outcome[joined] = "; ".join(differences) if differences else f"agree ({total} rows)"
    return outcome


def small_return(folder: Path) -> tuple[Path, ...]:
    """Hand-written header and episodes exercising codes that change between years, ages and
    dates at the year's edges (synthetic CHILD ids; dates around the 2024-25 and 2025-26 years)."""
    header = folder / "header.csv"
    header.write_text(
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
        "S01,1,01/01/2010,WBRI,A123456789012,,\n"
        "S02,M,01/01/2007,WBRI,A123456789013,,\n"
        "S03,F,15/06/2006,XXXX,A123456789014,,\n"
        "S04,2,01/01/2012,,A123456789015,,\n"
        "S04,2,01/01/2012,WBRI,A123456789015,,\n"
        "S05,U,29/02/2008,AOTH,A123456789016,,\n"
        "S07,F,31/04/2010,WBRI,A123456789017,,\n"
    )
    episodes = folder / "episodes.csv"
    rows = [
        "S01,01/05/2024,S,C2,N1,H5,PR4,01/06/2024,X1,,,,",
        "S01,01/06/2024,P,C2,N1,K3,PR4,01/08/2024,X1,CARPL,,,",
        "S01,01/08/2024,P,C2,N1,Z1,,02/09/2024,X1,CHILD,,,",
        "S01,02/09/2024,P,C2,N1,Z11,,,,,,,",
        "S02,01/04/2025,S,V2,N2,U4,PR3,15/04/2025,E8,,,,",
        "S02,10/04/2025,P,V2,N2,T4,PR4,,,,,,",
        "S03,15/06/2024,S,C1,N3,P2,PR5,01/04/2026,E8,,,,",
        "S03,01/01/2024,S,C1,N3,U1,,01/03/2024,E45,,,,",
        "S04,01/09/2025,Q,C2,N1,K2,PR0,,,,,,",
        "S05,01/03/2026,S,C2,N1,T2,,,,,,,",
        "S05,02/04/2026,S,C2,N1,R1,PR4,,,,,,",
        "S06,01/05/2025,S,C2,N9,P1,PR0,01/05/2024,E8,,,,",
        "S05,01/05/2025,L,L9,N1,U5,PR4,01/06/2025,E43,,,,",
        "S07,31/02/2025,S,C2,N1,U4,PR4,01/03/2026,E8,,,,",
    ]
    episodes.write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN\n" + "\n".join(rows) + "\n"
    )
    uasc = folder / "uasc.csv"
    uasc.write_text("CHILD,SEX,DOB,DUC\nS02,M,02/01/2007,\nS05,F,29/02/2008,\nS99,M,01/01/2009,\n")
    reviews = folder / "reviews.csv"
    reviews.write_text(
        "CHILD,DOB,REVIEW,REVIEW_CODE\nS01,01/01/2010,01/06/2024,PN9\n"
        "S01,01/01/2010,01/12/2024,PN1\nS77,01/01/2011,01/12/2024,PN1\n"
    )
    return (header, episodes, uasc, reviews)


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> list[Scenario]:
    small = small_return(tmp_path_factory.mktemp("small"))
    fixture_files = tuple(
        FIXTURES / name
        for name in (
            "header.csv",
            "episodes.csv",
            "uasc.csv",
            "reviews.csv",
            "missing.csv",
            "oc2.csv",
            "oc3.csv",
            "ad1.csv",
            "placed_for_adoption.csv",
            "previous_permanence.csv",
        )
    )
    return [
        # The fake return's codes are 2018-19 to 2023-24's (SOURCES.md): compared as 2022-23.
        Scenario("ssda903_fake", "lac2022_23", "2023", date(2023, 3, 31), fixture_files),
        Scenario(
            "placed_for_adoption_errors",
            "lac2022_23",
            "2023",
            date(2023, 3, 31),
            (FIXTURES / "header.csv", FIXTURES / "placed_for_adoption_errors.csv"),
        ),
        Scenario("small 2023-24", "lac2023_24", "2024", date(2024, 3, 31), small),
        Scenario("small 2024-25", "lac2024_25", "2025", date(2025, 3, 31), small),
        Scenario("small 2025-26", "lac2025_26", "2026", date(2026, 3, 31), small),
    ]


@pytest.fixture(scope="module")
def outcomes(scenarios: list[Scenario]) -> dict[str, dict[str, str]]:
    peers = peer_locations(scenarios)
    return {
        s.name: compare(s, peer, carecast_locations(s))
        for s, peer in zip(scenarios, peers, strict=True)
    }


@pytest.mark.parametrize(
    "name",
    [
        "ssda903_fake",
        "placed_for_adoption_errors",
        "small 2023-24",
        "small 2024-25",
        "small 2025-26",
    ],
)
def test_carecast_flags_the_same_rows_as_dfes_validator(
    name: str, outcomes: dict[str, dict[str, str]]
) -> None:
    disagreements = {rule: o for rule, o in outcomes[name].items() if not o.startswith("agree")}
    assert disagreements == {}


def test_the_comparison_is_not_empty(outcomes: dict[str, dict[str, str]]) -> None:
    """Most shared rules fire somewhere: agreeing on nothing would prove nothing."""
    fired = {
        rule
        for outcome in outcomes.values()
        for rule, text in outcome.items()
        if text.startswith("agree") and not text.startswith("agree (0")
    }
    assert len(fired) >= 20, sorted(set(AGREEMENT) - fired)
