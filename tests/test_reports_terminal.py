"""Rich tables in a terminal 100 columns wide: every amount prints in full; text gives way."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from rich.console import Console
from rich.table import Table

from carecast.domain.activity import Placement
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Commitment
from carecast.domain.periods import Period
from carecast.domain.provenance import Council, Forecast, ForecastLine, ForecastSnapshot
from carecast.forecast.reconcile import (
    CostCentreCheck,
    OverCommitment,
    Reconciliation,
    UnderReported,
)
from carecast.reports.figures import pounds
from carecast.reports.terminal import forecast_table, reconciliation_tables

D = Decimal
S = ServiceLine
COUNCIL = Council(1, "Demo Borough (fictional)", "209")
# The demo council's forecast at September 2018: budget, actual, committed, demand allowance,
# forecast, P10, P90 — eight columns of money, some of them eight digits long.
DEMO_LINES = (
    (S.STAFFING, 10500000, 7436420, 7466518, -52908, 14850030, 14701074, 14990207),
    (S.PLACEMENTS_IN_HOUSE, 3600000, 1887035, 1873600, 32347, 3792982, 3717163, 3871145),
    (S.PLACEMENTS_KINSHIP, 250000, 158920, 165539, 1217, 325676, 308825, 342226),
    (S.PLACEMENTS_IFA, 8000000, 4861057, 4920186, 100581, 9881824, 9695555, 10076768),
    (S.PLACEMENTS_RESIDENTIAL, 5350000, 3685581, 3555884, 226042, 7467506, 7062281, 7869974),
    (S.PLACEMENTS_SUPPORTED, 3300000, 2192026, 1663423, 495254, 4350704, 4156211, 4561424),
    (S.PLACEMENTS_SECURE, 350000, 494637, 459556, 50284, 1004477, 766415, 1246024),
    (S.PLACEMENTS_PARENT_CHILD, 300000, 186015, 187046, -22650, 350410, 266362, 442985),
    (S.PLACEMENTS_OTHER, 50000, 29280, 15742, 9424, 54447, 39785, 71434),
    (S.SPECIAL_GUARDIANSHIP, 1700000, 1256428, 1228176, 10128, 2494732, 2474463, 2516969),
    (S.ADOPTION_ALLOWANCES, 500000, 226557, 165218, 54662, 446437, 415702, 477021),
    (S.SPECIALIST_SUPPORT, 1300000, 685127, 641584, 0, 1326711, 1233802, 1421737),
    (S.OTHER_SUPPORT, 3000000, 1788204, 1794641, 0, 3582845, 3359475, 3820048),
    (S.OTHER_COSTS, 4000000, 1690187, 1884579, 0, 3574767, 3295128, 3848417),
    (S.INCOME, -600000, -183183, -152031, 0, -335214, -344905, -325849),
)


def demo_snapshot() -> ForecastSnapshot:
    lines = tuple(
        ForecastLine(line, D(b), D(a), D(c), D(d), D(f), "activity", D(low), D(high))
        for line, b, a, c, d, f, low, high in DEMO_LINES
    )
    forecast = Forecast(
        Period(2018, 9), date(2018, 10, 15), lines, p10=D(52498715), p90=D(53858161)
    )
    return ForecastSnapshot(1, COUNCIL, datetime(2018, 10, 15, tzinfo=UTC), forecast)


def printed(*tables: Table, width: int = 100) -> str:
    console = Console(width=width, color_system=None, file=io.StringIO())
    for table in tables:
        console.print(table)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def test_every_amount_of_the_forecast_prints_in_full_100_columns_wide() -> None:
    snapshot = demo_snapshot()
    text = printed(forecast_table(snapshot))
    assert "…" not in text
    assert max(len(row) for row in text.splitlines()) <= 100
    forecast = snapshot.forecast
    expected = [pounds(forecast.budget), pounds(forecast.forecast_outturn)]
    expected += [pounds(forecast.variance, signed=True)]  # +£11,568,334
    for line in forecast.lines:
        assert line.p10 is not None
        assert line.p90 is not None
        expected += [
            pounds(line.budget),
            pounds(line.actual_to_date),
            pounds(line.committed),
            pounds(line.demand_allowance, signed=True),
            pounds(line.forecast_outturn),
            pounds(line.p10),
            pounds(line.p90),
            pounds(line.variance, signed=True),
        ]
    missing = [amount for amount in expected if amount not in text]
    assert missing == []
    assert "£41,600,000" in text
    assert "+£11,568,334" in text
    # The long service-line names wrap rather than lose letters.
    assert "fostering" in text
    assert "accommodation" in text


def test_the_reconciliation_s_money_prints_in_full_beside_long_names() -> None:
    period = Period(2018, 9)
    provider = "Bright Futures Independent Fostering and Therapeutic Care Partnership Ltd"
    commitment = Commitment(
        "DB000123", S.PLACEMENTS_RESIDENTIAL, provider, date(2018, 4, 2), None, D("6250.60"), "RES1"
    )
    placement = Placement("DB000456", "K2", "PR4", S.PLACEMENTS_RESIDENTIAL, date(2018, 7, 1), None)
    result = Reconciliation(
        period,
        (OverCommitment(commitment, D("1171535.71")),),
        (UnderReported(placement, D("3891.95")),),
        (),
        (
            CostCentreCheck(
                "RES1",
                S.PLACEMENTS_RESIDENTIAL,
                D("3685581.27"),
                D("3555884.40"),
                ("DB000123", "DB000456"),
            ),
        ),
    )
    text = printed(*reconciliation_tables(COUNCIL, result))
    assert "…" not in text
    for amount in ("£6,251", "£1,171,536", "£3,892", "£3,685,581", "£3,555,884", "+£129,697"):
        assert amount in text
