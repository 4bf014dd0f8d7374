"""The dashboard's use cases: the snapshot and its periods, and a line's placements, read for only
the children the line costed, agree with reading every child's records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from carecast.config import Settings
from carecast.domain.codes import ServiceLine
from carecast.errors import NotFound
from carecast.services.dashboard import dashboard, line_placements
from carecast.store import state
from tests.webhelp import CHILDREN, forecast_small_council


def test_a_lines_placements_read_for_its_children_alone(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot_id = forecast_small_council(settings, tmp_path)
    ifa = line_placements(settings, snapshot_id, ServiceLine.PLACEMENTS_IFA)
    residential = line_placements(settings, snapshot_id, ServiceLine.PLACEMENTS_RESIDENTIAL)
    assert [r.child_id for r in ifa.rows] == [CHILDREN["C1"]]
    assert [(r.child_id, r.provider, r.start) for r in residential.rows] == [
        (CHILDREN["C2"], "Home", date(2017, 5, 1))
    ]
    monkeypatch.setattr(state, "MOST_CHILDREN_LISTED", -1)  # read every child's records
    assert line_placements(settings, snapshot_id, ServiceLine.PLACEMENTS_IFA) == ifa
    assert line_placements(settings, snapshot_id, ServiceLine.PLACEMENTS_RESIDENTIAL) == residential
    assert line_placements(settings, snapshot_id, ServiceLine.PLACEMENTS_SECURE).rows == ()
    with pytest.raises(NotFound, match="Staffing is not a placement line"):
        line_placements(settings, snapshot_id, ServiceLine.STAFFING)


def test_the_dashboard_leaves_withdrawn_snapshots_out_of_the_picker(
    settings: Settings, tmp_path: Path
) -> None:
    from carecast.services.forecasting import withdraw_forecast

    september = forecast_small_council(settings, tmp_path)
    withdraw_forecast(settings, september, "ledger incomplete")
    board = dashboard(settings)
    assert [p.label for p in board.periods] == ["2018-08"]
    assert board.snapshot.forecast.period.label == "2018-08"
    assert dashboard(settings, snapshot_id=september).snapshot.withdrawal is not None
