"""Storing, reading back and undoing import batches (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from carecast.config import Settings
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Action, Post
from carecast.errors import NotFound
from carecast.services import import_paths, init_store, list_imports, undo_import
from carecast.store.councils import find_council
from carecast.store.engine import make_engine
from carecast.store.schema import episodes, import_batches
from carecast.store.state import load_state
from carecast.store.state_frames import known_frames
from tests.conftest import Writer
from tests.storehelp import dump
from tests.test_store_state import state_on

COSTS = "CHILD,PLACEMENT_TYPE,PROVIDER,START_DATE,END_DATE,WEEKLY_COST,COST_CENTRE\n"
HEADER = "CHILD,SEX,DOB,ETHNIC\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n"
ACTIONS = "ACTION_ID,KIND,TITLE,SERVICE_LINE,OWNER,FINANCIAL_YEAR,VALUE,CONFIDENCE,STATUS,DUE_DATE,NOTES\n"


def import_month(settings: Settings, write: Writer, month: int, costs: str) -> None:
    as_of = date(2018, month + 1, 1) - timedelta(days=1)
    import_paths(settings, [write(f"costs-{month}.csv", COSTS + costs)], as_of)


def test_text_survives_the_bulk_path_exactly(settings: Settings, write: Writer) -> None:
    title = 'Step-down, "Project Ω" — £1,200\nsecond line'
    notes = "\\N is not null; nor is a backslash \\ or a \t tab"
    quoted = title.replace('"', '""')
    actions = write(
        "actions.csv",
        ACTIONS + f'A1,saving,"{quoted}",placements_ifa,Head of service,2018-19,'
        f'"£1,234.50",60%,in_progress,2018-12-31,"{notes}"\n'
        "A2,risk,Plain,staffing,Director,2018-19,-10,low,proposed,,\n",
    )
    posts = write(
        "posts.csv",
        "POST_ID,TEAM,ROLE,FTE,STATUS,ANNUAL_COST,START_DATE,END_DATE,CASELOAD\n"
        "P1,Safeguarding,Social worker,0.5,agency,73000.10,2017-04-01,,18\n",
    )
    import_paths(settings, [actions, posts], date(2018, 9, 30))
    state = state_on(settings, date(2018, 9, 30))
    assert sorted(state.actions, key=lambda a: a.action_id) == [
        Action(
            "A1",
            "saving",
            title,
            ServiceLine.PLACEMENTS_IFA,
            "Head of service",
            "2018-19",
            Decimal("1234.50"),
            "60%",
            "in_progress",
            date(2018, 12, 31),
            notes,
        ),
        Action(
            "A2",
            "risk",
            "Plain",
            ServiceLine.STAFFING,
            "Director",
            "2018-19",
            Decimal("-10"),
            "low",
            "proposed",
        ),
    ]
    assert state.posts == (
        Post(
            "P1",
            "Safeguarding",
            "Social worker",
            Decimal("0.5"),
            "agency",
            Decimal("73000.10"),
            date(2017, 4, 1),
            None,
            18,
        ),
    )


def test_undo_removes_the_batch_as_if_it_had_never_been_imported(
    settings: Settings, write: Writer
) -> None:
    before = dump(settings.database_url)
    import_month(settings, write, 8, "C1,placements_ifa,A,2018-05-01,,900,IFA1\n")
    _council, batches = list_imports(settings)
    removed = undo_import(settings, batches[0].batch_id)
    assert removed == batches[0]
    assert dump(settings.database_url) == before


def test_undoing_a_middle_extract_restores_every_date_to_what_the_others_say(
    settings: Settings, write: Writer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    months = {
        8: "C1,placements_ifa,A,2018-05-01,,900,IFA1\n",
        9: "C1,placements_ifa,A,2018-05-01,2018-09-20,900,IFA1\nC2,placements_ifa,B,2018-09-21,,950,IFA1\n",
        10: "C2,placements_ifa,B,2018-09-21,,960,IFA1\n",
    }
    for month, costs in months.items():
        import_month(settings, write, month, costs)
    header = write("header.csv", HEADER + "C1,1,2008-01-01,WBRI\nC2,2,2009-01-01,WBRI\n")
    import_paths(settings, [header], date(2018, 9, 30))
    _council, batches = list_imports(settings)
    september = next(b for b in batches if b.file_name.endswith("costs-9.csv"))
    undo_import(settings, september.batch_id)

    # The reference store never saw September's extract.
    folder = tmp_path_factory.mktemp("reference")
    reference = Settings(database_url=f"sqlite:///{folder / 'ref.db'}")
    init_store(reference, "Test Borough", "999")
    for month in (8, 10):
        import_month(reference, write, month, months[month])
    import_paths(reference, [header], date(2018, 9, 30))
    day = date(2018, 7, 1)
    while day <= date(2018, 12, 1):
        assert state_on(settings, day) == state_on(reference, day), day
        day += timedelta(days=7)


def test_undoing_an_unknown_batch_is_refused_and_changes_nothing(
    settings: Settings, write: Writer
) -> None:
    import_month(settings, write, 8, "C1,placements_ifa,A,2018-05-01,,900,IFA1\n")
    before = dump(settings.database_url)
    with pytest.raises(NotFound, match="there is no import batch 999 for Test Borough"):
        undo_import(settings, 999)
    assert dump(settings.database_url) == before


def test_known_frames_resolve_history_as_load_state_does(settings: Settings, write: Writer) -> None:
    import_paths(
        settings,
        [
            write("h1.csv", HEADER + "C1,1,2008-01-01,WBRI\nC2,2,2009-01-01,WBRI\n"),
            write(
                "e1.csv",
                EPISODES + "C1,2018-05-01,S,C2,N1,U4,PR4,,\nC2,2018-06-01,S,C2,N1,K2,PR4,,\n",
            ),
            write("cc.csv", "COST_CENTRE,SERVICE_LINE\nIFA1,placements_ifa\nX,other_costs\n"),
        ],
        date(2018, 8, 31),
    )
    import_paths(
        settings,
        [
            write("e2.csv", EPISODES + "C1,2018-05-01,S,C2,N1,U4,PR4,2018-09-10,E13\n"),
            write("cc2.csv", "COST_CENTRE,SERVICE_LINE\nX,other_support\n"),
            write("c2.csv", COSTS + "C2,placements_residential,H,2018-06-01,,3000,X\n"),
        ],
        date(2018, 9, 30),
    )
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            council = find_council(connection)
            for day in (date(2018, 8, 1), date(2018, 8, 31), date(2018, 9, 30)):
                state = load_state(connection, council, day)
                known = known_frames(connection, council, day, ["ssda903_episodes"])
                assert sorted(known.children["CHILD"]) == sorted(c.child_id for c in state.children)
                # Only episodes open on the day are read: the rules need no others.
                assert sorted(known.episodes.rows()) == sorted(
                    (e.child_id, e.decom, e.place, e.place_provider, e.dec)
                    for e in state.episodes
                    if e.is_open_on(day)
                )
                assert sorted(known.commitments.rows()) == sorted(
                    (c.child_id, c.category.value, c.start, c.end, c.cost_centre)
                    for c in state.commitments
                )
                centres = known_frames(connection, council, day, ["gl_actuals"]).cost_centres
                assert sorted(centres.rows()) == sorted(
                    (c.code, c.service_line.value) for c in state.cost_centres
                )
    finally:
        engine.dispose()


def _episode_count(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(sa.select(sa.func.count()).select_from(episodes)).scalar_one()
        )


def test_the_store_refuses_a_record_row_of_no_import_batch(settings: Settings) -> None:
    """On SQLite a foreign key, on PostgreSQL a check per statement (migration 0007)."""
    engine = make_engine(settings.database_url)
    row = {
        "batch_id": 4242,
        "child_id": "SYN1",
        "decom": date(2018, 5, 1),
        "rne": "S",
        "ls": "C2",
        "cin": "N1",
        "place": "U4",
    }
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(episodes.insert(), [row])
    assert _episode_count(engine) == 0
    # PostgreSQL would check a key row by row (8 of 14 s of a million-episode COPY): it has none.
    keys = sa.inspect(engine).get_foreign_keys("episodes")
    assert bool(keys) is (engine.dialect.name == "sqlite")
    engine.dispose()


def test_deleting_an_import_batch_in_the_database_deletes_its_rows(
    settings: Settings, write: Writer
) -> None:
    episode = "SYN1,01/05/2018,S,C2,N1,U4,PR1,,\n"
    import_paths(settings, [write("e1.csv", EPISODES + episode)], date(2018, 9, 30))
    kept, _ = import_paths(
        settings, [write("e2.csv", EPISODES + episode.replace("SYN1", "SYN2"))], date(2018, 9, 30)
    )
    engine = make_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(
            import_batches.delete().where(import_batches.c.id != kept.stored[0].batch_id)
        )
    with engine.connect() as connection:
        left = connection.execute(sa.select(episodes.c.child_id, episodes.c.batch_id)).all()
    assert left == [("SYN2", kept.stored[0].batch_id)]
    engine.dispose()
