"""The state on a date is rebuilt from the imports known then; later extracts supersede, never erase."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.domain.state import ActivityState
from carecast.services import import_paths
from carecast.store.councils import find_council
from carecast.store.engine import make_engine
from carecast.store.state import (
    latest_as_of,
    load_actions,
    load_placement_history,
    load_placement_records,
    load_state,
)
from tests.conftest import Writer

COSTS_HEADER = "CHILD,PLACEMENT_TYPE,PROVIDER,START_DATE,END_DATE,WEEKLY_COST,COST_CENTRE\n"
EPISODES_HEADER = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n"
GL_HEADER = "PERIOD,COST_CENTRE,ACCOUNT,AMOUNT\n"


def state_on(settings: Settings, day: date) -> ActivityState:
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            return load_state(connection, find_council(connection), day)
    finally:
        engine.dispose()


def imported(settings: Settings, write: Writer, name: str, text: str, as_of: date) -> None:
    import_paths(settings, [write(name, text)], as_of)


def test_a_later_commitments_extract_replaces_the_earlier_one_from_its_date(
    settings: Settings, write: Writer
) -> None:
    imported(
        settings,
        write,
        "aug.csv",
        COSTS_HEADER + "C1,placements_ifa,A,2018-05-01,,900,I\n",
        date(2018, 8, 31),
    )
    imported(
        settings,
        write,
        "sep.csv",
        COSTS_HEADER + "C2,placements_ifa,A,2018-09-10,,950,I\n",
        date(2018, 9, 30),
    )
    assert [c.child_id for c in state_on(settings, date(2018, 9, 15)).commitments] == ["C1"]
    assert [c.child_id for c in state_on(settings, date(2018, 10, 1)).commitments] == ["C2"]
    assert state_on(settings, date(2018, 8, 1)).commitments == ()


def test_the_year_end_extracts_of_past_years_are_kept_to_price_their_placements(
    settings: Settings, write: Writer
) -> None:
    """Each commitments extract replaces the last, so the extracts nearest the past three 31
    Marches are read beside it: a placement that ended in 2017 is still priced from them."""
    for name, child, as_of in (
        ("2016.csv", "C1", date(2016, 4, 12)),
        ("2017.csv", "C2", date(2017, 4, 12)),
        ("2017-09.csv", "C3", date(2017, 9, 30)),
        ("2018.csv", "C4", date(2018, 4, 12)),
        ("2018-09.csv", "C5", date(2018, 9, 30)),
    ):
        row = f"{child},placements_residential,A,2016-01-04,,4000,R\n"
        imported(settings, write, name, COSTS_HEADER + row, as_of)
    state = state_on(settings, date(2018, 10, 15))
    assert [c.child_id for c in state.commitments] == ["C5"]
    # nearest 31 March 2018, 2017 and 2016; September 2017's is nearest none of them
    assert [e.as_of for e in state.past_extracts] == [
        date(2016, 4, 12),
        date(2017, 4, 12),
        date(2018, 4, 12),
    ]
    assert sorted(c.child_id for c in state.past_commitments) == ["C1", "C2", "C4"]
    # on 31 May 2017 the extract in force is April 2017's: it is not counted twice
    earlier = state_on(settings, date(2017, 5, 31))
    assert [c.child_id for c in earlier.commitments] == ["C2"]
    assert [c.child_id for c in earlier.past_commitments] == ["C1"]


def test_episodes_from_several_returns_stitch_into_one_history(
    settings: Settings, write: Writer
) -> None:
    imported(
        settings,
        write,
        "ep2017.csv",
        EPISODES_HEADER + "C1,01/06/2016,S,C2,N1,U4,PR1,,\n",
        date(2017, 3, 31),
    )
    imported(
        settings,
        write,
        "ep2018.csv",
        EPISODES_HEADER
        + "C1,01/06/2016,S,C2,N1,U4,PR1,01/02/2018,X1\n"
        + "C1,01/02/2018,P,C2,N1,K2,PR4,,\n",
        date(2018, 3, 31),
    )
    episodes = sorted(state_on(settings, date(2018, 3, 31)).episodes, key=lambda e: e.decom)
    assert [(e.place, e.dec) for e in episodes] == [("U4", date(2018, 2, 1)), ("K2", None)]
    # What was known a year earlier is still there for backtesting.
    [earlier] = state_on(settings, date(2017, 3, 31)).episodes
    assert earlier.dec is None


def test_reimporting_a_ledger_period_replaces_that_period_only(
    settings: Settings, write: Writer
) -> None:
    imported(
        settings,
        write,
        "gl1.csv",
        GL_HEADER + "2018-04,SW1,1000,100\n2018-05,SW1,1000,200\n",
        date(2018, 5, 31),
    )
    imported(settings, write, "gl2.csv", GL_HEADER + "2018-05,SW1,1000,250\n", date(2018, 6, 10))
    ledger = state_on(settings, date(2018, 6, 30)).ledger
    assert sorted((e.period, e.amount) for e in ledger) == [
        (Period.parse("2018-04"), Decimal(100)),
        (Period.parse("2018-05"), Decimal(250)),
    ]


def test_files_of_one_import_are_combined_not_superseded(settings: Settings, write: Writer) -> None:
    staffing = write("gl_staff.csv", GL_HEADER + "2018-04,SW1,1000,100\n")
    placements = write("gl_place.csv", GL_HEADER + "2018-04,IFA1,5000,900\n")
    import_paths(settings, [staffing, placements], date(2018, 4, 30))
    assert len(state_on(settings, date(2018, 4, 30)).ledger) == 2


def test_money_round_trips_to_the_penny(settings: Settings, write: Writer) -> None:
    imported(
        settings,
        write,
        "gl.csv",
        GL_HEADER + '2018-04,SW1,1000,"£1,234,567.89"\n',
        date(2018, 4, 30),
    )
    [entry] = state_on(settings, date(2018, 4, 30)).ledger
    assert str(entry.amount) == "1234567.89"
    engine = make_engine(settings.database_url)
    with engine.connect() as connection:
        assert (
            connection.execute(sa.text("select amount_pence from ledger_entries")).scalar()
            == 123456789
        )
    engine.dispose()


ACTIONS_HEADER = "ACTION_ID,KIND,TITLE,SERVICE_LINE,OWNER,FINANCIAL_YEAR,VALUE,CONFIDENCE,STATUS\n"


def test_the_actions_alone_are_what_the_whole_state_holds_on_each_date(
    settings: Settings, write: Writer
) -> None:
    """The actions page reads the actions alone (store/state.load_actions), as they stood then."""
    first = (
        "A1,saving,Step down two residential placements,placements_residential,Head of service,"
        "2018-19,120000,high,in_progress\n"
    )
    imported(settings, write, "actions.csv", ACTIONS_HEADER + first, date(2018, 5, 10))
    later = first.replace("in_progress", "delivered") + (
        "R1,risk,Two more secure remands,placements_secure,Head of service,2018-19,90000,"
        "medium,proposed\n"
    )
    imported(settings, write, "actions.csv", ACTIONS_HEADER + later, date(2018, 8, 10))
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            council = find_council(connection)
            for day in (date(2018, 4, 30), date(2018, 6, 15), date(2018, 9, 30)):
                alone = load_actions(connection, council, day)
                assert alone == load_state(connection, council, day).actions
        assert [a.status for a in state_on(settings, date(2018, 6, 15)).actions] == ["in_progress"]
    finally:
        engine.dispose()


HEADER_HEADER = "CHILD,SEX,DOB,ETHNIC\n"


def test_each_child_keeps_its_latest_record_in_the_place_it_was_first_known(
    settings: Settings, write: Writer
) -> None:
    """Keyed records are ordered by what was known when (as-of date first, then import order):
    each child's latest record wins, listed where the child first appeared. January's extract is
    imported last, but it is the oldest knowledge: its C2 is superseded by March's, and its C4
    comes first."""
    imported(
        settings,
        write,
        "header.csv",
        HEADER_HEADER + "C2,1,2008-01-01,WBRI\nC1,2,2009-02-01,WBRI\n",
        date(2018, 3, 31),
    )
    imported(
        settings,
        write,
        "header.csv",
        HEADER_HEADER + "C3,1,2010-03-01,WBRI\nC1,2,2009-02-01,MWBC\n",
        date(2018, 6, 30),
    )
    imported(
        settings,
        write,
        "header.csv",
        HEADER_HEADER + "C4,2,2011-04-01,WBRI\nC2,1,2008-01-01,AOTH\n",
        date(2018, 1, 31),
    )
    children = state_on(settings, date(2018, 9, 30)).children
    assert [(c.child_id, c.ethnic) for c in children] == [
        ("C4", "WBRI"),
        ("C2", "WBRI"),
        ("C1", "MWBC"),
        ("C3", "WBRI"),
    ]
    # on 30 April June's extract was not yet known: C1 is as March had it, C3 unknown
    april = state_on(settings, date(2018, 4, 30)).children
    assert [(c.child_id, c.ethnic) for c in april] == [
        ("C4", "WBRI"),
        ("C2", "WBRI"),
        ("C1", "WBRI"),
    ]


def test_the_placements_of_some_children_are_those_the_whole_state_holds(
    settings: Settings, write: Writer
) -> None:
    """A page listing a few children's placements reads theirs alone, resolved as load_state
    resolves every child's."""
    imported(
        settings,
        write,
        "ep2017.csv",
        EPISODES_HEADER
        + "C1,01/06/2016,S,C2,N1,U4,PR1,,\nC2,01/07/2016,S,C2,N1,U4,PR1,,\n"
        + "C3,01/08/2016,S,C2,N1,U4,PR1,,\n",
        date(2017, 3, 31),
    )
    imported(
        settings,
        write,
        "ep2018.csv",
        EPISODES_HEADER
        + "C3,01/08/2016,S,C2,N1,U4,PR1,01/01/2018,E11\nC1,01/06/2016,S,C2,N1,U4,PR1,01/02/2018,X1\n"
        + "C1,01/02/2018,P,C2,N1,K2,PR4,,\n",
        date(2018, 3, 31),
    )
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            council = find_council(connection)
            day = date(2018, 3, 31)
            episodes, commitments = load_placement_records(connection, council, day, {"C1", "C3"})
            whole = load_state(connection, council, day).episodes
    finally:
        engine.dispose()
    assert episodes == tuple(e for e in whole if e.child_id in {"C1", "C3"})
    assert [(e.child_id, e.place, e.dec) for e in episodes] == [
        ("C1", "U4", date(2018, 2, 1)),
        ("C3", "U4", date(2018, 1, 1)),
        ("C1", "K2", None),
    ]
    assert commitments == ()


def test_the_placement_history_is_the_whole_states_children_episodes_and_commitments(
    settings: Settings, write: Writer
) -> None:
    """A region's view reads the children, episodes and commitments alone (as load_state
    resolves them, with the extract of about six months before) and the latest episodes
    extract's date; the ledger and the rest are not read."""
    imported(
        settings,
        write,
        "mar.csv",
        COSTS_HEADER + "C1,placements_ifa,A,2018-01-01,,900,I\n",
        date(2018, 3, 31),
    )
    imported(
        settings,
        write,
        "sep.csv",
        COSTS_HEADER + "C1,placements_ifa,A,2018-01-01,,950,I\n",
        date(2018, 9, 30),
    )
    imported(
        settings,
        write,
        "ep.csv",
        EPISODES_HEADER + "C1,01/01/2018,S,C2,N1,U4,PR1,,\n",
        date(2018, 8, 31),
    )
    imported(
        settings, write, "header.csv", HEADER_HEADER + "C1,1,2008-01-01,WBRI\n", date(2018, 8, 31)
    )
    imported(settings, write, "gl.csv", GL_HEADER + "2018-04,SW1,1000,100\n", date(2018, 9, 30))
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            council = find_council(connection)
            day = date(2018, 10, 15)
            alone = load_placement_history(connection, council, day)
            whole = load_state(connection, council, day)
            assert latest_as_of(connection, council, "ssda903_episodes") == date(2018, 8, 31)
            assert latest_as_of(connection, council, "establishment") is None
    finally:
        engine.dispose()
    assert alone == replace(
        whole,
        ledger=(),
        cost_centres=(),
        budget=(),
        posts=(),
        allowances=(),
        actions=(),
        earlier_posts=(),
        earlier_posts_on=None,
        past_extracts=(),
    )
    assert [c.weekly_cost for c in alone.commitments] == [Decimal(950)]
    assert [c.weekly_cost for c in alone.earlier_commitments] == [Decimal(900)]
    assert alone.earlier_commitments_on == date(2018, 3, 31)
    assert len(whole.ledger) == 1
