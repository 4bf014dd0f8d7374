"""The benchmark (`benchmark --json`): the result tree as JSON-ready values.

The shape mirrors the dataclasses field for field (numbers as JSON numbers, dates as ISO
strings), with `estimates` under `at_neighbours_rate` as the issue names them:

    {"la_code": "209", "ons_code": "E09000023", "name": "Lewisham",
     "neighbours": {"members": [{"la_code", "name", "closeness"}, ...], "source": {...}},
     "sections": [{"key": "cla_rate", "title": ..., "notes": [...],
                   "rows": [{"measure", "year", "council": FIGURE, "neighbours": FIGURE,
                             "england": FIGURE, "own": FIGURE or null}, ...]}, ...],
     "at_neighbours_rate": [{"basis", "as_at", "council_rate": FIGURE, "neighbours_rate",
                             "population", "average_weekly_cost", "weeks", "children_fewer",
                             "annual_difference"}, ...],
     "own": {"name", "la_code", "known_on", "snapshot_id"} or null, "notes": [...]}

    FIGURE = {"value": 71.8 or null, "unit": ..., "note": ...,
              "source": {"publisher", "table", "file", "measure", "year"}}
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from carecast.benchmarking.figures import BenchmarkResult


def plain(value: Any) -> Any:
    """Dataclasses → dicts, tuples → lists, Decimal → float, dates → ISO strings."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def benchmark_json(result: BenchmarkResult) -> dict[str, Any]:
    body: dict[str, Any] = plain(result)
    body["at_neighbours_rate"] = body.pop("estimates")
    return body
