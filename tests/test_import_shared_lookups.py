"""What an import now asks once rather than file by file: which files the store already holds
(one query for the whole run), the empty frames of the cross-file rules and the shape of a row
kept in memory (built once). The answers are those of asking each time."""

from __future__ import annotations

from datetime import date

import polars as pl

from carecast.config import Settings
from carecast.ingest.rules_cross_file import EPISODES, empty
from carecast.services import import_paths
from carecast.store.known_rows import row_schema
from tests.conftest import Writer

COST_CENTRES = "COST_CENTRE,SERVICE_LINE\nIFA1,placements_ifa\nSW1,staffing\n"
BUDGET = "FINANCIAL_YEAR,SERVICE_LINE,BUDGET\n2018-19,placements_ifa,40000\n"


def test_only_the_files_held_with_the_same_content_and_date_are_left_unchanged(
    settings: Settings, write: Writer
) -> None:
    held = write("cc.csv", COST_CENTRES)
    import_paths(settings, [held], date(2018, 9, 30))
    budget = write("budget.csv", BUDGET)
    copy = write("budget copy.csv", BUDGET)  # the same content twice in one run: stored once
    outcome, _ = import_paths(settings, [held, budget, copy], date(2018, 9, 30))
    assert [b.file_name for b in outcome.stored] == [str(budget)]
    assert outcome.unchanged == (str(held), str(copy))
    # Held, but as of another date: a new batch.
    later, _ = import_paths(settings, [held, budget], date(2018, 10, 31))
    assert [b.file_name for b in later.stored] == [str(held), str(budget)]
    assert later.unchanged == ()


def test_the_shared_empty_frames_are_as_built_and_stay_so() -> None:
    episodes = empty(list(EPISODES))
    assert episodes.equals(pl.DataFrame(schema={c: episodes.schema[c] for c in EPISODES}))
    assert episodes.columns == list(EPISODES)
    episodes.with_columns(pl.lit(1).alias("extra")).filter(pl.col("CHILD").is_null())
    assert empty(EPISODES).columns == list(EPISODES)
    assert empty(EPISODES).height == 0


def test_a_kept_rows_shape_is_a_fresh_copy_each_time() -> None:
    schema = row_schema("ssda903_episodes")
    assert list(schema) == ["batch_id", "CHILD", "DECOM", "PLACE", "PLACE_PROVIDER", "DEC", "id"]
    schema.pop("id")
    assert "id" in row_schema("ssda903_episodes")
