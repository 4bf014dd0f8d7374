"""The councils of a store side by side, and the placements the region will need.

For each council: the children looked after at its data's last month end by placement
category, the mix, and the mean weekly cost of the placements open then; then its deterministic
projection (the expected course at its own fitted rates) at each 31 March ahead. The region's
figures are the councils' added together, and sufficiency is the placements the region will
need in each category against those in use today.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from carecast.config import Settings
from carecast.errors import CarecastError
from carecast.projection.cost_fit import fit_costs
from carecast.projection.fit import CATEGORY_NAMES
from carecast.services.projection import fit_and_project
from carecast.services.setup import store_transaction
from carecast.store.councils import named_councils


@dataclass(frozen=True)
class CouncilView:
    la_code: str
    name: str
    start: str  # the month end its figures are on
    children: dict[str, float]  # looked after on `start`, by category
    weekly_cost: dict[str, float]  # mean weekly cost of the placements open then, by category
    ahead: dict[str, dict[str, float]]  # 31 March → category → expected children

    @property
    def total(self) -> float:
        return sum(self.children.values())

    def as_json(self) -> dict[str, Any]:
        total = self.total
        return {
            "la_code": self.la_code,
            "name": self.name,
            "from": self.start,
            "children_looked_after": round(total, 1),
            "children": {k: round(v, 1) for k, v in self.children.items()},
            "mix": {k: round(v / total, 4) if total else None for k, v in self.children.items()},
            "weekly_cost": {k: round(v, 2) for k, v in self.weekly_cost.items()},
            "projected": {
                day: {k: round(v, 1) for k, v in row.items()} for day, row in self.ahead.items()
            },
        }


@dataclass(frozen=True)
class RegionView:
    councils: tuple[CouncilView, ...]
    left_out: tuple[tuple[str, str], ...] = field(default=())  # (code, why)

    def children(self) -> dict[str, float]:
        return {c: sum(v.children.get(c, 0.0) for v in self.councils) for c in CATEGORY_NAMES}

    def sufficiency(self) -> dict[str, dict[str, float]]:
        """31 March → category → placements the region will need (its councils' added)."""
        days = sorted({d for v in self.councils for d in v.ahead})
        return {
            day: {
                c: sum(v.ahead.get(day, {}).get(c, 0.0) for v in self.councils)
                for c in CATEGORY_NAMES
            }
            for day in days
        }

    def as_json(self) -> dict[str, Any]:
        now = self.children()
        return {
            "councils": [v.as_json() for v in self.councils],
            "left_out": [{"la_code": code, "why": why} for code, why in self.left_out],
            "region": {
                "children_looked_after": round(sum(now.values()), 1),
                "children": {k: round(v, 1) for k, v in now.items()},
                "sufficiency": {
                    day: {
                        c: {"needed": round(n, 1), "in_use_now": round(now[c], 1)}
                        for c, n in row.items()
                    }
                    for day, row in self.sufficiency().items()
                },
            },
        }


def _council_view(settings: Settings, code: str, name: str, years: int) -> CouncilView:
    run = fit_and_project(
        settings.model_copy(update={"council": code}), years, paths=1, deterministic=True
    )
    stock = run.projection.paths.stock[:, 0].sum(axis=2)  # (months + 1, categories)
    children = {c: float(stock[0, i]) for i, c in enumerate(CATEGORY_NAMES)}
    prices = fit_costs(run.state, run.model.start, len(run.model.category)).prices
    weekly = {p.line.value: p.running_weekly for p in prices if p.running_count}
    ahead = {
        year.day.isoformat(): {c.category: c.children.mean for c in year.categories}
        for year in run.projection.years
    }
    return CouncilView(code, name, run.model.start.isoformat(), children, weekly, ahead)


def region_view(settings: Settings, codes: Sequence[str] | None, years: int) -> RegionView:
    """The councils named (default: every council in the store), `years` ahead."""
    with store_transaction(settings) as connection:
        wanted = named_councils(connection, list(codes) if codes else None, "nothing was compared")
    views, left_out = [], []
    for code, name in wanted.items():
        try:
            views.append(_council_view(settings, code, name, years))
        except CarecastError as refusal:  # one council's data cannot answer: the rest still can
            left_out.append((code, refusal.message))
    return RegionView(tuple(views), tuple(left_out))
