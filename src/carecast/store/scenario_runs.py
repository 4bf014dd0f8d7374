"""Scenario runs kept with their results: only ever added; the latest of a name is shown."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from carecast.domain.provenance import Council
from carecast.store.schema import scenario_runs


@dataclass(frozen=True)
class NewScenarioRun:
    name: str
    description: str | None
    levers: list[dict[str, Any]]
    files: list[str]
    projected_from: date
    years: int
    paths: int
    seed: int
    result: dict[str, Any]


@dataclass(frozen=True)
class ScenarioRunRecord(NewScenarioRun):
    """A stored run: what was saved, its id and when."""

    run_id: int = 0
    saved_at: datetime | None = None


def add_scenario_run(connection: sa.Connection, council: Council, run: NewScenarioRun) -> int:
    inserted = connection.execute(
        scenario_runs.insert()
        .values(
            council_id=council.council_id,
            name=run.name,
            description=run.description,
            levers=json.dumps(run.levers),
            files=json.dumps(run.files),
            projected_from=run.projected_from,
            years=run.years,
            paths=run.paths,
            seed=run.seed,
            result=json.dumps(run.result),
            saved_at=datetime.now(UTC),
        )
        .returning(scenario_runs.c.id)
    )
    return int(inserted.scalar_one())


def _record(row: Any) -> ScenarioRunRecord:
    return ScenarioRunRecord(
        row["name"],
        row["description"],
        json.loads(row["levers"]),
        json.loads(row["files"]),
        row["projected_from"],
        row["years"],
        row["paths"],
        row["seed"],
        json.loads(row["result"]),
        run_id=row["id"],
        saved_at=row["saved_at"],
    )


def list_scenario_runs(connection: sa.Connection, council: Council) -> list[ScenarioRunRecord]:
    """Every run, oldest first."""
    rows = connection.execute(
        sa.select(scenario_runs)
        .where(scenario_runs.c.council_id == council.council_id)
        .order_by(scenario_runs.c.id)
    ).mappings()
    return [_record(row) for row in rows]


def latest_scenario_run(
    connection: sa.Connection, council: Council, name: str
) -> ScenarioRunRecord | None:
    row = (
        connection.execute(
            sa.select(scenario_runs)
            .where(scenario_runs.c.council_id == council.council_id, scenario_runs.c.name == name)
            .order_by(scenario_runs.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return None if row is None else _record(row)
