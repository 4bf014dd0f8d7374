"""SSDA903 tables pooled the way regional pipelines keep them (LA and YEAR columns): several
returns of one council read as its latest, several councils refused in one message."""

from __future__ import annotations

from carecast.errors import Severity
from carecast.ingest.loader import parse_paths
from tests.conftest import Writer

EPISODES = "LA,YEAR,CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n"
HEADER = "LA,YEAR,CHILD,SEX,DOB,ETHNIC\n"


def test_several_returns_of_one_council_read_as_its_latest_return(write: Writer) -> None:
    # The 2017 return has C1's episode open; the 2018 return has it closed, and C2 besides: as
    # one return they would overlap (the same episode twice, once open)
    episodes = write(
        "episodes.csv",
        EPISODES
        + "999,2017,C1,01/06/2016,S,C2,N1,U4,PR1,,\n"
        + "999,2018,C1,01/06/2016,S,C2,N1,U4,PR1,01/09/2017,E4A\n"
        + "999,2018,C2,01/01/2018,S,C2,N1,U4,PR1,,\n",
    )
    header = write(
        "header.csv",
        HEADER + "999,2017,C1,1,01/01/2008,WBRI\n999,2018,C1,1,01/01/2008,WBRI\n"
        "999,2018,C2,2,01/01/2010,WBRI\n",
    )
    parsed, issues = parse_paths([episodes, header])
    assert not [i for i in issues if i.severity is Severity.ERROR]
    by_name = {p.dataset.name: p for p in parsed}
    frame = by_name["ssda903_episodes"].frame
    assert frame.height == 2
    assert sorted(frame["__row"].to_list()) == [3, 4]  # the file's own rows: 2018's
    assert frame.filter(frame["CHILD"] == "C1")["DEC"].to_list()[0] is not None
    warnings = [i for i in issues if i.rule == "pooled-returns"]
    assert len(warnings) == 2
    assert "2 returns (2018: 2 rows, 2017: 1 rows)" in warnings[0].message
    assert "1 row(s) that a later return repeats were set aside" in warnings[0].message


def test_a_file_of_several_councils_is_refused_saying_what_it_holds(write: Writer) -> None:
    episodes = write(
        "episodes.csv",
        EPISODES
        + "201,2018,C1,01/06/2016,S,C2,N1,U4,PR1,,\n"
        + "201,2018,C2,01/06/2016,S,C2,N1,U4,PR1,,\n"
        + "202,2018,C3,01/01/2018,S,C2,N1,U4,PR1,,\n",
    )
    _parsed, issues = parse_paths([episodes])
    (refusal,) = issues
    assert refusal.rule == "pooled-councils"
    assert (refusal.row, refusal.column) == (1, "LA")
    assert "pools 2 councils (201: 2 rows, 202: 1 rows)" in refusal.message
    assert "split the file by LA" in refusal.message


def test_one_return_of_one_council_with_the_columns_reads_as_it_is(write: Writer) -> None:
    episodes = write("episodes.csv", EPISODES + "999,2018,C1,01/06/2016,S,C2,N1,U4,PR1,,\n")
    parsed, issues = parse_paths([episodes])
    assert [p.frame.height for p in parsed] == [1]
    assert not [i for i in issues if i.rule.startswith("pooled")]
