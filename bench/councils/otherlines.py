"""Lines not driven by placements or posts: support and running costs, and income."""

from __future__ import annotations

import random

import numpy as np

from .agreements import Book
from .ledger import MONTHS, Ledger
from .matrix import OTHER_LINES, CouncilSpec
from .timeline import (
    HORIZON,
    SCORED_FY,
    add_months,
    fy_end,
    fy_label,
    fy_of,
    month_name,
    month_start,
)

# Relative monthly spend (Jan..Dec): Section 17 and NRPF peak in winter, transport dips in August.
PROFILE = {
    "specialist_support": (1.0, 1.05, 1.05, 0.95, 1.0, 1.0, 1.0, 0.85, 1.0, 1.05, 1.05, 1.0),
    "other_support": (1.1, 1.05, 1.0, 0.95, 0.95, 0.95, 0.95, 0.9, 1.0, 1.0, 1.05, 1.1),
    "other_costs": (1.0, 1.0, 1.05, 1.0, 1.0, 1.0, 1.0, 0.8, 1.05, 1.05, 1.05, 1.0),
}


def accrues_year_end(spec: CouncilSpec) -> bool:
    return spec.year_end_accrual or "month_end_accrual" in spec.conventions_by_line.values()


def post_other_lines(
    ledger: Ledger, spec: CouncilSpec, r: random.Random
) -> dict[str, dict[int, float]]:
    """Invoices posted mostly in the month, some the month after; a March spike of one-off spend.
    Returns the spend incurred by line and financial year."""
    chart = ledger.chart
    true: dict[str, dict[int, float]] = {}
    for line in OTHER_LINES:
        centres = chart.centres_of(line)
        shares = np.array([r.uniform(0.5, 1.5) for _ in centres])
        shares /= shares.sum()
        annual_2018 = spec.other_lines_per_child[line] * spec.children_target
        noise = {fy: r.uniform(0.95, 1.05) for fy in range(2014, 2021)}
        spends: dict[tuple[int, int], np.ndarray] = {}
        for y, m in MONTHS:
            fy = fy_of(month_start(y, m))
            annual = annual_2018 * (1 + spec.other_lines_growth) ** (fy - SCORED_FY) * noise[fy]
            spend = annual / 12 * PROFILE[line][m - 1] * r.gauss(1, 0.08)
            if m == 3:
                spend += spec.march_spike * annual  # budgets spent before they lapse
            by_cc = spend * shares * np.array([r.gauss(1, 0.05) for _ in centres])
            spends[(y, m)] = by_cc
            true.setdefault(line, {})[fy] = true.get(line, {}).get(fy, 0.0) + float(by_cc.sum())
            for c, amount in zip(centres, by_cc, strict=True):
                label = f"Invoices - {chart.names[c].lower()} {month_name(y, m)}"
                ledger.post(
                    (y, m), c, chart.accounts[line], label, amount * (1 - spec.invoices_next_month)
                )
                ledger.post(
                    add_months(y, m, 1),
                    c,
                    chart.accounts[line],
                    label,
                    amount * spec.invoices_next_month,
                )
        if accrues_year_end(spec):
            for fy in range(2014, fy_of(HORIZON)):
                for c, amount in zip(centres, spends[(fy + 1, 3)], strict=True):
                    est = amount * spec.invoices_next_month * r.uniform(0.85, 1.15)
                    what = f"{chart.names[c].lower()} {fy_label(fy)}"
                    account = chart.accounts.get("accrual", chart.accounts[line])
                    ledger.post(
                        (fy + 1, 3), c, account, f"Year-end accrual - {what}", est, year_end=True
                    )
                    ledger.post(
                        (fy + 1, 4), c, account, f"Reversal of year-end accrual - {what}", -est
                    )
    return true


def post_income(
    ledger: Ledger, spec: CouncilSpec, book: Book, uasc_claim: dict[int, float]
) -> dict[int, float]:
    """Health and education contributions invoiced quarterly in arrears (booked on invoice or on
    receipt); the UASC grant once a year. Returns income earned by financial year (negative)."""
    chart = ledger.chart
    centre = {
        1: chart.centre("income", "Health contributions"),
        2: chart.centre("income", "Education contributions"),
    }
    account = {1: chart.accounts["health"], 2: chart.accounts["education"]}
    who = {1: "Health", 2: "Education"}
    delay = 1 if spec.contribution_posting == "on_invoice" else 3
    earned: dict[int, float] = {}
    for qi in range(len(MONTHS) // 3):
        y, m = MONTHS[qi * 3]
        first, last = month_start(y, m), month_start(*add_months(y, m, 3)) - 1
        fy = fy_of(first)
        q = (m - 4) // 3 + 1
        share = book.true_cost(first, last) * book.contrib / 100
        posted = add_months(y, m, 2 + delay)
        for k in (1, 2):
            amount = float(share[book.contributor == k].sum())
            earned[fy] = earned.get(fy, 0.0) - amount
            if month_start(*posted) <= HORIZON:
                how = "invoice" if delay == 1 else "receipt"
                ledger.post(
                    posted,
                    centre[k],
                    account[k],
                    f"{who[k]} contribution Q{q} {fy_label(fy)} - {how}",
                    -amount,
                )
    if accrues_year_end(spec):  # income due for the year but not yet booked, from the commitments
        for fy in range(2014, fy_of(HORIZON)):
            close = fy_end(fy) + spec.ye_close_days
            for k in (1, 2):
                est = 0.0
                for q in range(1, 5):
                    qy, qm = add_months(fy, 4, 3 * (q - 1))
                    if add_months(qy, qm, 2 + delay) <= (fy + 1, 3):
                        continue
                    first, last = month_start(qy, qm), month_start(*add_months(qy, qm, 3)) - 1
                    due = (
                        (book.shown_cost(close, last) - book.shown_cost(close, first - 1))
                        * book.contrib
                        / 100
                    )
                    est += float(due[book.contributor == k].sum())
                label = f"{who[k].lower()} contributions {fy_label(fy)}"
                ledger.post(
                    (fy + 1, 3),
                    centre[k],
                    account[k],
                    f"Year-end accrual - {label}",
                    -est,
                    year_end=True,
                )
                ledger.post(
                    (fy + 1, 4),
                    centre[k],
                    account[k],
                    f"Reversal of year-end accrual - {label}",
                    est,
                )
    grant_centre = chart.centre("income", "UASC grant")
    for fy, claim in uasc_claim.items():
        earned[fy] = earned.get(fy, 0.0) - claim
        paid = (fy, spec.grant_month) if spec.grant_month >= 4 else (fy + 1, spec.grant_month)
        if claim > 0 and month_start(*paid) <= HORIZON:
            ledger.post(
                paid, grant_centre, chart.accounts["grant"], f"UASC grant {fy_label(fy)}", -claim
            )
    return earned
