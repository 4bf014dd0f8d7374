"""The projection (`project --json`, `/api/projection`) and a scenario's run (`project --scenario
--json`, the stored scenario runs, `/api/scenarios/{name}`): the objects of formats.md, from the
results; the web's result pages read the same objects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carecast.domain.provenance import Council
    from carecast.projection.assemble import Projection
    from carecast.projection.mtfp import FinancialPlan
    from carecast.projection.scenario_result import ScenarioResult
    from carecast.projection.scenarios import Rates


def years_json(projection: Projection, plan: FinancialPlan) -> list[dict[str, Any]]:
    """Each financial year the projection reaches: children at its 31 March (null for a last
    part-year that ends before one), and its cost per service line with the bands."""
    children = {year.financial_year: year.as_json() for year in projection.years}
    return [
        {
            "financial_year": year.financial_year,
            "children_looked_after": None,
            **children.get(year.financial_year, {}),
            **year.as_json(),
        }
        for year in plan.years
    ]


def projection_json(
    council: Council, projection: Projection, plan: FinancialPlan
) -> dict[str, Any]:
    return {
        "council": council.name,
        "from": projection.start.isoformat(),
        "scenario": None,
        "children_looked_after_at_start": projection.start_children,
        "years": years_json(projection, plan),
        "assumptions": {
            **projection.assumptions,
            "costs": plan.assumptions(),
            "notes": list(projection.notes),
        },
    }


def plan_years_json(plan: FinancialPlan) -> list[dict[str, Any]]:
    return [{"financial_year": y.financial_year, **y.as_json()} for y in plan.years]


def scenario_json(
    council: Council,
    projection: Projection,
    baseline: FinancialPlan,
    result: ScenarioResult,
    rates: Rates | None,
) -> dict[str, Any]:
    """`project --scenario --json`: the scenario's years, the baseline's, the saving per year."""
    return {
        "council": council.name,
        "from": projection.start.isoformat(),
        "scenario": {
            "name": result.name,
            "description": result.description,
            "levers": [effect.as_json() for effect in result.effects],
        },
        "years": plan_years_json(result.plan),
        "baseline": years_json(projection, baseline),
        "saving": result.saving_json(),
        "assumptions": {
            "costs": baseline.assumptions(),
            "rates": None
            if rates is None
            else {
                "statistical_neighbours": rates.statistical_neighbours,
                "england": rates.england,
            },
        },
    }
