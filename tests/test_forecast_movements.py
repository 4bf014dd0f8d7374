"""Movements between snapshots: named drivers that add up to the change exactly, to the penny."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from carecast.domain.codes import ServiceLine
from carecast.domain.periods import Period
from carecast.domain.provenance import Forecast, ForecastComponent, ForecastItem, ForecastLine
from carecast.forecast.movements import explain_movements

IFA, RES, STAFF = (
    ServiceLine.PLACEMENTS_IFA,
    ServiceLine.PLACEMENTS_RESIDENTIAL,
    ServiceLine.STAFFING,
)
YEAR_END = date(2019, 3, 31)


def item(
    key: str, line: ServiceLine, weekly: str, first: date, last: date, cost: str
) -> ForecastItem:
    kind = "post" if line is STAFF else "placement"
    return ForecastItem(kind, key, line, Decimal(weekly), first, last, Decimal(cost))


def forecast(
    period: str,
    actuals: dict[ServiceLine, str],
    items: list[ForecastItem],
    components: list[ForecastComponent] = (),  # type: ignore[assignment]
) -> Forecast:
    """A forecast whose lines are exactly actuals + items + components, as the engine builds."""
    committed: dict[ServiceLine, Decimal] = defaultdict(Decimal)
    demand: dict[ServiceLine, Decimal] = defaultdict(Decimal)
    for i in items:
        committed[i.service_line] += i.committed
    for c in components:
        (committed if c.part == "committed" else demand)[c.service_line] += c.amount
    lines = sorted({*actuals, *committed, *demand}, key=list(ServiceLine).index)
    return Forecast(
        Period.parse(period),
        Period.parse(period).last_day + timedelta(days=15),
        tuple(
            ForecastLine(
                line,
                Decimal(0),
                Decimal(actuals.get(line, "0")),
                committed[line],
                demand[line],
                Decimal(actuals.get(line, "0")) + committed[line] + demand[line],
                "test",
            )
            for line in lines
        ),
        items=tuple(items),
        components=tuple(components),
    )


def arrivals(period: str, amount: str, line: ServiceLine = IFA) -> ForecastComponent:
    return ForecastComponent(line, "demand", "arrivals", Period.parse(period), Decimal(amount))


SEP_1, OCT_1 = date(2018, 9, 1), date(2018, 10, 1)


def test_a_month_of_movements_checked_by_hand() -> None:
    # August close: X at £700 a week for 212 days (£21,200), Y to 30 September (£1,500),
    # arrivals expected £1,000 in September and £2,000 in October.
    old = forecast(
        "2018-08",
        {IFA: "50000"},
        [
            item("X", IFA, "700", SEP_1, YEAR_END, "21200"),
            item("Y", IFA, "350", SEP_1, date(2018, 9, 30), "1500"),
        ],
        [arrivals("2018-09", "1000"), arrivals("2018-10", "2000")],
    )
    # September close: £10,000 more posted; X now £770 (182 days: £20,020); Z new at £490
    # (£12,740); arrivals now £1,500 in October.
    new = forecast(
        "2018-09",
        {IFA: "60000"},
        [
            item("X", IFA, "770", OCT_1, YEAR_END, "20020"),
            item("Z", IFA, "490", OCT_1, YEAR_END, "12740"),
        ],
        [arrivals("2018-10", "1500")],
    )
    result = explain_movements(old, new)
    # What August's forecast expected for September: X 3,000 (21,200 − 700 × 26), Y 1,500,
    # arrivals 1,000 — 5,500 against 10,000 posted.
    assert result.by_driver() == {
        "actuals": Decimal("4500"),
        "new_placements": Decimal("12740"),
        "price_changes": Decimal("1820"),  # (770 − 700) × 182 / 7
        "expected_arrivals": Decimal("-500"),
    }
    assert result.change == Decimal("18560")
    assert sum(result.by_driver().values()) == result.change
    keys = {m.driver: m.keys for m in result.movements}
    assert keys["new_placements"] == ("Z",)


def test_a_child_moving_to_another_line_is_a_step_up_on_both_lines() -> None:
    old = forecast("2018-09", {}, [item("S", IFA, "700", OCT_1, YEAR_END, "18200")])
    new = forecast("2018-09", {}, [item("S", RES, "3500", OCT_1, YEAR_END, "91000")])
    result = explain_movements(old, new)
    assert result.by_line() == {IFA: Decimal("-18200"), RES: Decimal("91000")}
    assert result.by_driver() == {"step_ups_downs": Decimal("72800")}


def test_a_change_of_assumptions_is_its_own_driver() -> None:
    old = forecast("2018-09", {}, [], [arrivals("2018-10", "1000")])
    counterfactual = forecast("2018-09", {}, [], [arrivals("2018-10", "1200")])
    new = forecast("2018-09", {}, [], [arrivals("2018-10", "2000")])
    result = explain_movements(old, new, counterfactual)
    assert result.by_driver() == {
        "expected_arrivals": Decimal("200"),
        "assumption_changes": Decimal("800"),
    }


def test_a_snapshot_without_build_up_leaves_the_change_unexplained_but_still_adds_up() -> None:
    bare = Forecast(
        Period.parse("2018-08"),
        date(2018, 9, 15),
        (ForecastLine(IFA, Decimal(0), Decimal(5), Decimal(7), Decimal(0), Decimal(12), "old"),),
    )
    new = forecast("2018-09", {IFA: "10"}, [item("X", IFA, "70", OCT_1, YEAR_END, "1820")])
    result = explain_movements(bare, new)
    assert sum(m.amount for m in result.movements) == result.change == Decimal("1818")
    assert "unexplained" in result.by_driver()


def test_the_same_forecast_twice_has_no_movement() -> None:
    same = forecast("2018-09", {IFA: "10"}, [item("X", IFA, "70", OCT_1, YEAR_END, "1820")])
    assert explain_movements(same, same).movements == ()


# --- property: whatever the snapshots hold, the drivers add up to the change exactly ----------

money = st.decimals(min_value=-(10**6), max_value=10**6, places=2, allow_nan=False)
keys = st.sampled_from(["C1", "C2", "C3", "C4", "P1", "P2"])
lines = st.sampled_from([IFA, RES, STAFF])


@st.composite
def snapshots(draw: st.DrawFn, period: str) -> Forecast:
    close = Period.parse(period)
    first = close.last_day + timedelta(days=1)
    chosen = draw(st.lists(st.tuples(keys, lines), max_size=6, unique_by=lambda kl: kl[0]))
    items = []
    for key, line in chosen:
        last = first + timedelta(days=draw(st.integers(0, (YEAR_END - first).days)))
        weekly = draw(st.decimals(min_value=0, max_value=9000, places=2))
        items.append(item(key, line, str(weekly), first, last, str(draw(money))))
    months = [p for p in close.financial_year.periods() if p > close]
    components = [
        ForecastComponent(
            draw(lines),
            draw(st.sampled_from(["demand", "committed"])),
            draw(st.sampled_from(["arrivals", "moves", "profile", "vacancy_fills"])),
            draw(st.sampled_from(months)),
            draw(money),
        )
        for _ in range(draw(st.integers(0, 5)))
    ]
    actuals = {line: str(draw(money)) for line in draw(st.sets(lines))}
    return forecast(period, actuals, items, components)


@settings(max_examples=200, deadline=None)
@given(
    old=snapshots("2018-06"),
    new=snapshots("2018-09"),
    counterfactual=st.none() | snapshots("2018-09"),
)
def test_movements_always_add_up_exactly_by_line_and_in_total(
    old: Forecast, new: Forecast, counterfactual: Forecast | None
) -> None:
    result = explain_movements(old, new, counterfactual)
    assert sum((m.amount for m in result.movements), Decimal(0)) == result.change
    old_lines = {x.service_line: x.forecast_outturn for x in old.lines}
    for line, amount in result.by_line().items():
        now = next((x.forecast_outturn for x in new.lines if x.service_line is line), Decimal(0))
        assert amount == now - old_lines.get(line, Decimal(0))
    if counterfactual is None:
        assert "unexplained" not in result.by_driver()
