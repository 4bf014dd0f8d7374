"""The projection's backtest (`project --backtest --json`): each replay from an earlier 31 March
against what happened, summarised at 12, 24 and 36 months, as fitted and calibrated."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from carecast.projection.backtest import HORIZONS, summarise

if TYPE_CHECKING:
    from carecast.services.projection_backtest import ProjectionBacktest


def projection_backtest_json(result: ProjectionBacktest) -> dict[str, Any]:
    return {
        "council": result.council.name,
        "data_until": result.data_until.isoformat(),
        "horizons": {
            str(m): {
                "as_fitted": summarise(result.replays, m).as_json(),
                "calibrated": summarise(result.calibrated, m).as_json(),
            }
            for m in HORIZONS
        },
        "calibration": result.calibration.as_json(),
        "replays": [r.as_json() for r in result.replays],
        "calibrated_replays": [r.as_json() for r in result.calibrated],
        "placement_costs": [c.as_json() for c in result.costs],
    }
