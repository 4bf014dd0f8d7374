"""Rules across files: this import checked against itself and against what the store knew then.

Each test is a small council a finance officer could check by hand. Warnings are kept with the
batch; an error (an episode whose child is missing from the header given with it) stores nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from carecast.config import Settings
from carecast.errors import InvalidInput, Issue, Severity
from carecast.services import import_paths, import_warnings
from tests.conftest import Writer
from tests.fixtures_small import write_small_council
from tests.storehelp import dump

AS_OF = date(2018, 9, 30)
HEADER = "CHILD,SEX,DOB,ETHNIC\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n"
COSTS = "CHILD,PLACEMENT_TYPE,PROVIDER,START_DATE,END_DATE,WEEKLY_COST,COST_CENTRE\n"
CENTRES = "COST_CENTRE,SERVICE_LINE\nIFA1,placements_ifa\nRES1,placements_residential\n"


def located(issues: list[Issue]) -> list[tuple[str, int | None, str | None, str, Severity]]:
    return [(Path(i.source).name, i.row, i.column, i.rule, i.severity) for i in issues]


def test_the_small_council_is_consistent_across_its_files(
    settings: Settings, tmp_path: Path
) -> None:
    _outcome, warnings = import_paths(settings, [write_small_council(tmp_path / "x")], AS_OF)
    assert warnings == []


def test_an_episode_whose_child_is_missing_from_the_header_given_with_it_blocks_the_import(
    settings: Settings, write: Writer
) -> None:
    before = dump(settings.database_url)
    header = write("header.csv", HEADER + "C1,1,2008-01-01,WBRI\n")
    episodes = write(
        "episodes.csv",
        EPISODES + "C1,2018-05-01,S,C2,N1,U4,PR4,,\nC9,2018-06-01,S,C2,N1,U4,PR4,,\n",
    )
    with pytest.raises(InvalidInput) as failure:
        import_paths(settings, [header, episodes], AS_OF)
    assert located(failure.value.issues) == [
        ("episodes.csv", 3, "CHILD", "episode-without-header", Severity.ERROR)
    ]
    assert "child C9 has an episode but no header row" in failure.value.issues[0].message
    assert dump(settings.database_url) == before


def test_episodes_alone_are_checked_against_the_header_the_store_already_holds(
    settings: Settings, write: Writer
) -> None:
    import_paths(settings, [write("header.csv", HEADER + "C1,1,2008-01-01,WBRI\n")], AS_OF)
    episodes = write(
        "episodes.csv",
        EPISODES + "C1,2018-05-01,S,C2,N1,U4,PR4,,\nC9,2018-06-01,S,C2,N1,U4,PR4,,\n",
    )
    _outcome, warnings = import_paths(settings, [episodes], AS_OF)
    # The header may follow later: a warning, not an error, and only for the unknown child.
    assert located(warnings) == [
        ("episodes.csv", 3, "CHILD", "episode-without-header", Severity.WARNING)
    ]


def test_a_header_known_only_after_the_as_of_date_does_not_count(
    settings: Settings, write: Writer
) -> None:
    import_paths(
        settings, [write("header.csv", HEADER + "C1,1,2008-01-01,WBRI\n")], date(2018, 10, 31)
    )
    episodes = write("episodes.csv", EPISODES + "C1,2018-05-01,S,C2,N1,U4,PR4,,\n")
    _outcome, warnings = import_paths(settings, [episodes], AS_OF)
    assert [w.rule for w in warnings] == ["episode-without-header"]


def over_and_under(settings: Settings, write: Writer, costs: str, episodes: str) -> list[Issue]:
    header = HEADER + "".join(f"C{n},1,2008-01-01,WBRI\n" for n in range(1, 6))
    files = [
        write("header.csv", header),
        write("episodes.csv", EPISODES + episodes),
        write("costs.csv", COSTS + costs),
        write("cc.csv", CENTRES),
    ]
    _outcome, warnings = import_paths(settings, files, AS_OF)
    return warnings


def test_commitments_with_no_live_costed_placement_are_over_commitments(
    settings: Settings, write: Writer
) -> None:
    warnings = over_and_under(
        settings,
        write,
        costs="C1,placements_ifa,A,2018-05-01,,900,IFA1\n"  # live U4 with PR4: fine
        "C2,placements_ifa,A,2018-05-01,,900,IFA1\n"  # left care on 2018-09-01
        "C3,placements_ifa,A,2018-05-01,,900,IFA1\n"  # placed with parents: no placement cost
        "C4,placements_ifa,A,2018-05-01,2018-09-29,900,IFA1\n"  # ended before as-of: not open
        "C5,placements_ifa,A,2018-05-01,,900,IFA1\n",  # no episode at all
        episodes="C1,2018-05-01,S,C2,N1,U4,PR4,,\n"
        "C2,2018-05-01,S,C2,N1,U4,PR4,2018-09-01,E13\n"
        "C3,2018-05-01,S,C2,N1,P1,PR0,,\n",
    )
    assert located(warnings) == [
        ("costs.csv", 3, "CHILD", "commitment-without-placement", Severity.WARNING),
        ("costs.csv", 4, "CHILD", "commitment-without-placement", Severity.WARNING),
        ("costs.csv", 6, "CHILD", "commitment-without-placement", Severity.WARNING),
    ]
    assert warnings[0].message.startswith(
        "the commitment for child C2 (placements_ifa) is open on 2018-09-30 but SSDA903 shows no "
        "live costed placement"
    )


def test_live_costed_placements_without_a_commitment_are_under_reporting(
    settings: Settings, write: Writer
) -> None:
    warnings = over_and_under(
        settings,
        write,
        costs="C1,placements_ifa,A,2018-05-01,,900,IFA1\n",
        episodes="C1,2018-05-01,S,C2,N1,U4,PR4,,\n"
        "C2,2018-09-30,S,C2,N1,K2,PR4,,\n"  # started on the as-of date: live
        "C3,2018-05-01,S,C2,N1,P1,PR0,,\n"  # placed with parents: nothing to commit
        "C4,2018-05-01,S,C2,N1,U1,PR1,2018-09-30,E13\n",  # left on the as-of date: not live
    )
    assert located(warnings) == [
        ("episodes.csv", 3, "PLACE", "placement-without-commitment", Severity.WARNING)
    ]
    assert warnings[0].message.startswith(
        "child C2 has been in a costed placement (K2 PR4, placements_residential) since "
        "2018-09-30 but has no commitment open on 2018-09-30"
    )


def test_a_new_commitments_extract_is_checked_against_the_stored_episodes(
    settings: Settings, write: Writer
) -> None:
    over_and_under(
        settings,
        write,
        costs="C1,placements_ifa,A,2018-05-01,,900,IFA1\nC2,placements_ifa,A,2018-05-01,,9,IFA1\n",
        episodes="C1,2018-05-01,S,C2,N1,U4,PR4,,\nC2,2018-05-01,S,C2,N1,U5,PR5,,\n",
    )
    # October: C2's commitment is no longer in the finance extract, though C2 is still placed.
    costs = write("oct.csv", COSTS + "C1,placements_ifa,A,2018-05-01,,900,IFA1\n")
    _outcome, warnings = import_paths(settings, [costs], date(2018, 10, 31))
    assert located(warnings) == [
        ("oct.csv", None, "CHILD", "placement-without-commitment", Severity.WARNING)
    ]
    assert "child C2 has been in a costed placement (U5 PR5, placements_ifa)" in warnings[0].message


def test_a_commitments_file_alone_in_a_store_without_episodes_is_not_flagged(
    settings: Settings, write: Writer
) -> None:
    costs = write("costs.csv", COSTS + "C7,placements_ifa,A,2018-05-01,,900,IFA1\n")
    _outcome, warnings = import_paths(settings, [costs], AS_OF)
    assert [w.rule for w in warnings] == []


def test_an_episode_closed_by_a_later_return_supersedes_the_stored_open_one(
    settings: Settings, write: Writer
) -> None:
    over_and_under(
        settings,
        write,
        costs="C1,placements_ifa,A,2018-05-01,,900,IFA1\n",
        episodes="C1,2018-05-01,S,C2,N1,U4,PR4,,\n",
    )
    closed = write("closed.csv", EPISODES + "C1,2018-05-01,S,C2,N1,U4,PR4,2018-10-10,E13\n")
    costs = write("nov.csv", COSTS + "C1,placements_ifa,A,2018-05-01,,900,IFA1\n")
    _outcome, warnings = import_paths(settings, [closed], date(2018, 10, 31))
    assert warnings == []
    _outcome, warnings = import_paths(settings, [costs], date(2018, 11, 30))
    assert located(warnings) == [
        ("nov.csv", 2, "CHILD", "commitment-without-placement", Severity.WARNING)
    ]


def test_ledger_cost_centres_with_no_service_line_are_reported_once_each(
    settings: Settings, write: Writer
) -> None:
    import_paths(settings, [write("cc.csv", CENTRES)], date(2018, 4, 1))
    ledger = write(
        "gl.csv",
        "PERIOD,COST_CENTRE,ACCOUNT,AMOUNT\n2018-09,IFA1,5000,100\n2018-08,ZZ9,5000,1000.50\n"
        "2018-09,ZZ9,5000,-0.25\n2018-09,NEW1,5000,7\n",
    )
    _outcome, warnings = import_paths(settings, [ledger], AS_OF)
    assert located(warnings) == [
        ("gl.csv", 3, "COST_CENTRE", "cost-centre-unmapped", Severity.WARNING),
        ("gl.csv", 5, "COST_CENTRE", "cost-centre-unmapped", Severity.WARNING),
    ]
    assert warnings[0].message.startswith("cost centre ZZ9 has no service line (2 rows, £1000.25")


def test_a_cost_centre_mapped_in_the_same_import_counts(settings: Settings, write: Writer) -> None:
    files = [
        write("gl.csv", "PERIOD,COST_CENTRE,ACCOUNT,AMOUNT\n2018-09,NEW1,5000,7\n"),
        write("cc.csv", "COST_CENTRE,SERVICE_LINE\nNEW1,other_costs\n"),
    ]
    _outcome, warnings = import_paths(settings, files, AS_OF)
    assert warnings == []


def test_a_commitment_posting_to_another_lines_cost_centre_is_flagged(
    settings: Settings, write: Writer
) -> None:
    import_paths(settings, [write("cc.csv", CENTRES)], date(2018, 4, 1))
    costs = write(
        "costs.csv",
        COSTS + "C1,placements_ifa,A,2018-05-01,,900,RES1\nC2,placements_ifa,A,2018-05-01,,9,XX\n",
    )
    _outcome, warnings = import_paths(settings, [costs], AS_OF)
    assert located(warnings) == [
        ("costs.csv", 2, "COST_CENTRE", "commitment-cost-centre-mismatch", Severity.WARNING)
    ]
    assert warnings[0].message.startswith(
        "the commitment is placements_ifa but cost centre RES1 belongs to placements_residential"
    )


def test_cross_file_warnings_are_stored_with_the_batch_they_point_at(
    settings: Settings, write: Writer
) -> None:
    over_and_under(
        settings,
        write,
        costs="C1,placements_ifa,A,2018-05-01,,900,IFA1\n",
        episodes="C1,2018-05-01,S,C2,N1,U4,PR4,,\nC2,2018-05-01,S,C2,N1,U5,PR5,,\n",
    )
    _council, stored = import_warnings(settings)
    assert [(Path(b.file_name).name, i.row, i.rule) for b, i in stored] == [
        ("episodes.csv", 3, "placement-without-commitment")
    ]
    # Re-imported unchanged, the episodes file has no new batch: the warning about it goes with
    # the run's first new batch and still names the episodes file.
    episodes = write(
        "episodes.csv",
        EPISODES + "C1,2018-05-01,S,C2,N1,U4,PR4,,\nC2,2018-05-01,S,C2,N1,U5,PR5,,\n",
    )
    costs = write("costs2.csv", COSTS + "C1,placements_ifa,B,2018-05-01,,901,IFA1\n")
    outcome, warnings = import_paths(settings, [episodes, costs], AS_OF)
    assert [Path(b.file_name).name for b in outcome.stored] == ["costs2.csv"]
    assert outcome.stored[0].warnings == 1
    _council, stored = import_warnings(settings, outcome.stored[0].batch_id)
    assert [(Path(i.source).name, i.row, i.rule) for _b, i in stored] == [
        ("episodes.csv", 3, "placement-without-commitment")
    ]
    assert warnings == [i for _b, i in stored]
