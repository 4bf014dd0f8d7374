"""The activity-led outturn forecast: actuals to date + committed cost + demand allowance, by line.

- Placement lines: live placements from SSDA903 priced from their commitments to the planned end,
  18th birthday or year end (committed), and a demand allowance of expected arrivals, moves and
  step-ups/downs, less expected early endings, fitted on the episode history (placement_lines.py);
  plus what the line's own ledger timing leaves to post (ledger_timing.py).
- Staffing: posts to contract end or year end, plus expected leavers and vacancy fills.
- Special guardianship and adoption allowances: cases to year end, joiners, early stops.
- Every other line: profiled from earlier years' ledger (other_lines.py).
The central forecast is the expected value (deterministic); p10/p90 come from simulated paths
(intervals.py). Management actions and risks are never netted off here (actions.py shows them
apart). The work is done by pipeline.py's fit → sample → assemble; this is its one-call form.
"""

from __future__ import annotations

from carecast.domain.periods import Period
from carecast.domain.provenance import Forecast
from carecast.domain.state import ActivityState
from carecast.forecast.assumptions import Assumptions
from carecast.forecast.intervals import Runner, serial
from carecast.forecast.pipeline import METHOD, assemble, fit, sample_paths


def forecast_outturn(
    state: ActivityState,
    period: Period,
    *,
    assumptions: Assumptions | None = None,
    paths: int | None = None,
    seed: int | None = None,
    runner: Runner = serial,
) -> Forecast:
    """Forecast the financial year's outturn as at the end of `period` from what `state` knows.

    `paths` and `seed` override the interval assumptions (paths=0: no intervals, p10/p90 None).
    """
    models = fit(state, period, assumptions, paths=paths, seed=seed)
    return assemble(models, sample_paths(models, runner))


__all__ = ["METHOD", "forecast_outturn"]
