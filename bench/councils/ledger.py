"""The general ledger, posted by each council's conventions.

Payments made by the finance system are the change, since the last run, in what the agreements as
shown on the run day say is due up to the run's cover date: so a late-keyed placement is paid
backdated when keyed, a phantom is paid until someone closes it and then recovered, and a lapsed
end date stops payment until it is rolled on. Accruals estimate from the same views, errors included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from .agreements import Book
from .chart import LINE_LABEL, Chart
from .matrix import CouncilSpec
from .timeline import (
    HORIZON,
    SIM_START,
    add_months,
    day,
    fy_end,
    fy_label,
    fy_of,
    month_end,
    month_name,
    month_start,
    months_between,
    period_of,
)

Period = tuple[int, int]
MONTHS = months_between((2014, 4), period_of(HORIZON))


class Ledger:
    """Postings keyed by (period, cost centre, account, description); year-end rows are those
    posted in the closedown after the period-12 extract was taken."""

    def __init__(self, chart: Chart) -> None:
        self.chart = chart
        self.rows: dict[tuple[Period, int, str, str, bool], float] = {}

    def post(
        self,
        period: Period,
        cc: int,
        account: str,
        description: str,
        amount: float,
        *,
        year_end: bool = False,
    ) -> None:
        if abs(amount) < 0.005:
            return
        key = (period, cc, account, description, year_end)
        self.rows[key] = self.rows.get(key, 0.0) + amount

    def post_by_centre(
        self,
        period: Period,
        amounts: np.ndarray,
        account: dict[int, str],
        description: str,
        *,
        year_end: bool = False,
    ) -> None:
        for cc in np.flatnonzero(np.abs(amounts) >= 0.005):
            label = LINE_LABEL.get(self.chart.lines[cc], self.chart.names[cc].lower())
            self.post(
                period,
                int(cc),
                account[int(cc)],
                description.format(label=label),
                float(amounts[cc]),
                year_end=year_end,
            )

    def pence(self) -> list[tuple[Period, int, str, str, bool, int]]:
        """Rows rounded to pence as they are written; every total is summed from these."""
        out = [(k[0], k[1], k[2], k[3], k[4], round(v * 100)) for k, v in self.rows.items()]
        out = [x for x in out if x[5] != 0]
        out.sort(key=lambda x: (x[0], self.chart.codes[x[1]], x[2], x[3], x[4]))
        return out


def _runs(convention: str, spec: CouncilSpec) -> list[tuple[int, int, Period, str]]:
    """(run day, cover through, posting period, description) of each payment run."""
    runs: list[tuple[int, int, Period, str]] = []
    if convention == "four_weekly":
        run, counts = day(2014, 4, 3) + spec.payment_day % 14, dict[int, int]()
        while run <= HORIZON:
            fy = fy_of(run)
            counts[fy] = counts.get(fy, 0) + 1
            runs.append(
                (
                    run,
                    run - 8,
                    period_of(run),
                    f"Payment run {counts[fy]:02d} {fy_label(fy)} - {{label}}",
                )
            )
            run += 28
        return runs
    for y, m in MONTHS:
        if convention == "in_month":  # paid in advance, on account, from what the system shows
            runs.append(
                (
                    month_start(y, m) + spec.payment_day - 1,
                    month_end(y, m),
                    (y, m),
                    f"Payment on account - {{label}} {month_name(y, m)}",
                )
            )
        else:
            ny, nm = add_months(y, m, 1)
            runs.append(
                (
                    month_start(ny, nm) + spec.payment_day - 1,
                    month_end(y, m),
                    (ny, nm),
                    f"Payments - {{label}} {month_name(y, m)}",
                )
            )
    return [x for x in runs if x[0] <= HORIZON]


def post_agreements(ledger: Ledger, book: Book, spec: CouncilSpec, lines: Iterable[str]) -> None:
    """Posts the lines paid through service agreements (placements or allowances)."""
    chart = ledger.chart
    n = len(chart.codes)
    account = {
        cc: chart.accounts[chart.lines[cc]] for cc in range(n) if chart.lines[cc] in chart.accounts
    }
    accrual_account = {cc: chart.accounts.get("accrual", a) for cc, a in account.items()}
    by_convention: dict[str, list[str]] = {}
    for line in lines:
        by_convention.setdefault(spec.conventions_by_line[line], []).append(line)
    for convention, conv_lines in by_convention.items():
        mask = np.isin(book.line, conv_lines)
        cc = book.cc[mask]

        def due(v: int, through: int, mask: np.ndarray = mask, cc: np.ndarray = cc) -> np.ndarray:
            return np.bincount(cc, weights=book.shown_cost(v, through)[mask], minlength=n)

        paid = np.zeros(n)
        paid_by_period: dict[Period, np.ndarray] = {}
        for run, through, period, description in _runs(convention, spec):
            owed = due(run, through)
            ledger.post_by_centre(period, owed - paid, account, description)
            paid = owed
            paid_by_period[period] = paid

        def paid_through(
            period: Period, paid_by_period: dict[Period, np.ndarray] = paid_by_period
        ) -> np.ndarray:
            known = [p for p in paid_by_period if p <= period]
            return paid_by_period[max(known)] if known else np.zeros(n)

        if convention == "month_end_accrual":  # the month's committed cost, reversed next period
            for y, m in MONTHS:
                accrual = due(month_end(y, m) + 4, month_end(y, m)) - paid_through((y, m))
                label = "Accrual - {label} " + month_name(y, m)
                ledger.post_by_centre((y, m), accrual, accrual_account, label)
                ledger.post_by_centre(
                    add_months(y, m, 1), -accrual, accrual_account, "Reversal of a" + label[1:]
                )
        elif spec.year_end_accrual:
            post_year_end(
                ledger,
                lambda fy: (
                    due(fy_end(fy) + spec.ye_close_days, fy_end(fy)) - paid_through((fy + 1, 3))
                ),
                accrual_account,
                "{label}",
            )


def post_year_end(
    ledger: Ledger, estimate: Callable[[int], np.ndarray], account: dict[int, str], what: str
) -> None:
    """A year-end accrual in period 12, reversed in period 1 of the next year."""
    for fy in range(fy_of(SIM_START), fy_of(HORIZON)):
        amounts = np.asarray(estimate(fy), dtype=np.float64)
        ledger.post_by_centre(
            (fy + 1, 3),
            amounts,
            account,
            f"Year-end accrual - {what} {fy_label(fy)}",
            year_end=True,
        )
        ledger.post_by_centre(
            (fy + 1, 4), -amounts, account, f"Reversal of year-end accrual - {what} {fy_label(fy)}"
        )


def post_interagency(ledger: Ledger, fees: list[tuple[int, int, float]]) -> None:
    cc = ledger.chart.centre("adoption_allowances", "Inter-agency adoption fees")
    for placed, invoiced, fee in fees:
        if invoiced <= HORIZON:
            ledger.post(
                period_of(invoiced),
                cc,
                ledger.chart.accounts["interagency"],
                f"Inter-agency fee - placement {month_name(*period_of(placed))}",
                fee,
            )
