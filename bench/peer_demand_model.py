"""Run Social Finance's cs-demand-model 0.5.1 on one cut-back history; run by the peer's own
Python (.venv-peers/demand-model, see scripts/peer-venvs.sh), never carecast's.

    python peer_demand_model.py FOLDER START REFERENCE_START MONTHS STEP_DAYS

FOLDER holds YYYY/header.csv and YYYY/episodes.csv as the package reads them. Rates are fitted
on the episodes between REFERENCE_START and START (the model's `from_model` window), the stock
is taken on START and moved forward STEP_DAYS at a time, as its `predict` command does. Prints
one JSON object: the projected children looked after (all its age brackets and placement types
summed but its NOT_IN_CARE bin, and by placement type) at each month end after START, up to MONTHS of them.
"""

import json
import sys
import time
from datetime import date, timedelta

# the peer's own environment has these; carecast's (where mypy runs) never does
from cs_demand_model import (  # type: ignore[import-not-found]
    DemandModellingDataContainer,
    ModelPredictor,
    PopulationStats,
)
from cs_demand_model.config import Config  # type: ignore[import-not-found]
from cs_demand_model.datastore import fs_datastore  # type: ignore[import-not-found]

NOT_IN_CARE = "NOT_IN_CARE"


def month_ends(start: date, months: int) -> list[date]:
    out, year, month = [], start.year, start.month
    for _ in range(months):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        following = date(year + (month == 12), month % 12 + 1, 1)
        out.append(following - timedelta(days=1))
    return out


def main() -> None:
    folder, start_text, reference_text, months_text, step_text = sys.argv[1:6]
    start, reference = date.fromisoformat(start_text), date.fromisoformat(reference_text)
    months, step = int(months_text), int(step_text)
    began = time.perf_counter()
    config = Config()
    container = DemandModellingDataContainer(fs_datastore(folder), config)
    stats = PopulationStats(container.enriched_view, config)
    predictor = ModelPredictor.from_model(stats, reference, start)
    wanted = month_ends(start, months)
    days = (wanted[-1] - start).days
    predicted = predictor.predict(-(-days // step), step_days=step)
    totals, by_type = {}, {}
    for day in wanted:
        row = predicted.iloc[max(round((day - start).days / step) - 1, 0)]
        kinds: dict[str, float] = {}
        for key, value in row.items():
            kind = key[1] if isinstance(key, tuple) and len(key) > 1 else str(key)
            kinds[kind] = kinds.get(kind, 0.0) + float(value)
        by_type[day.isoformat()] = kinds
        # the model keeps those who left in a NOT_IN_CARE bin: they are not looked after
        totals[day.isoformat()] = sum(v for k, v in kinds.items() if k != NOT_IN_CARE)
    print(
        json.dumps(
            {
                "start_children": float(
                    sum(
                        v
                        for k, v in stats.stock_at(start).items()
                        if not (isinstance(k, tuple) and k[-1] == NOT_IN_CARE)
                    )
                ),
                "totals": totals,
                "by_placement_type": by_type,
                "seconds": time.perf_counter() - began,
            }
        )
    )


if __name__ == "__main__":
    main()
