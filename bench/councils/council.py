"""One council from simulation to files: the care, the money, the ledger, and the import steps."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np

from .chart import Chart, build_chart
from .extracts import (
    ALLOWANCE_COLUMNS,
    EPISODE_COLUMNS,
    ESTABLISHMENT_COLUMNS,
    HEADER_COLUMNS,
    PLACEMENT_COLUMNS,
    allowances,
    placement_costs,
    ssda903,
    write_csv,
)
from .ledger import Ledger, Period, post_agreements, post_interagency
from .matrix import ALLOWANCE_LINES, LINES, OTHER_LINES, PLACEMENT_LINES, CouncilSpec
from .money import Money, build_money
from .otherlines import post_income, post_other_lines
from .population import CareHistory, simulate_care
from .staffing import Post, build_posts, establishment_rows, post_staffing
from .timeline import (
    LEDGER_FIRST_FY,
    SCORED_FY,
    day,
    fy_end,
    fy_label,
    fy_of,
    fy_start,
    iso,
    month_end,
    month_start,
    months_between,
    period_label,
)

LedgerRow = tuple[Period, int, str, str, bool, int]
GL_COLUMNS = ("PERIOD", "COST_CENTRE", "ACCOUNT", "AMOUNT", "DESCRIPTION")
OUTTURN_AS_OF = day(2019, 5, 15)


def money_text(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def _true_cost(
    money: Money,
    staffing: dict[int, float],
    other: dict[str, dict[int, float]],
    income: dict[int, float],
    fy: int,
) -> dict[str, float]:
    first, last = fy_start(fy), fy_end(fy)
    out = dict.fromkeys(LINES, 0.0)
    for book in (money.placements, money.allowances):
        cost = book.true_cost(first, last)
        for line in set(book.line.tolist()):
            out[str(line)] += float(cost[book.line == line].sum())
    out["adoption_allowances"] += sum(
        fee for placed, _inv, fee in money.interagency if first <= placed <= last
    )
    out["staffing"] = staffing.get(fy, 0.0)
    for line in OTHER_LINES:
        out[line] = other[line].get(fy, 0.0)
    out["income"] = income.get(fy, 0.0)
    return {k: round(v, 2) for k, v in out.items()}


def _outturn(rows: list[LedgerRow], chart: Chart, fy: int) -> dict[str, int]:
    """The ledger's total for the year by service line, in pence, year-end postings included."""
    out = dict.fromkeys(LINES, 0)
    for period, cc, _acc, _desc, _ye, pence in rows:
        if fy_of(month_start(*period)) == fy:
            out[chart.lines[cc]] += pence
    return out


def _budgets(
    outturns: dict[int, dict[str, int]], first_true: dict[str, float], r: random.Random
) -> dict[int, dict[str, float]]:
    """Each year's budget sits near last year's outturn; growing lines are set a little short."""
    budgets: dict[int, dict[str, float]] = {}
    for fy in range(LEDGER_FIRST_FY, SCORED_FY + 1):
        budgets[fy] = {}
        for line in LINES:
            base = first_true[line] if fy == LEDGER_FIRST_FY else outturns[fy - 1][line] / 100
            if line == "income":
                delta = r.uniform(-0.1, 0.05)
            elif line in (*PLACEMENT_LINES, "staffing"):
                delta = r.uniform(-0.07, 0.02)
            else:
                delta = r.uniform(-0.04, 0.04)
            budgets[fy][line] = round(base * (1 + delta), -3)
    return budgets


class _Writer:
    """Writes a council's files and keeps the import steps they make up."""

    def __init__(
        self, folder: Path, care: CareHistory, money: Money, posts: list[Post], ledger: Ledger
    ) -> None:
        self.folder, self.care, self.money, self.posts = folder, care, money, posts
        self.chart = ledger.chart
        self.rows = ledger.pence()
        self.steps: list[dict[str, object]] = []

    def gl(self, rel: str, periods: set[Period], year_end: bool) -> str:
        chosen = [x for x in self.rows if x[0] in periods and (year_end or not x[4])]
        write_csv(
            self.folder / rel,
            GL_COLUMNS,
            [
                [period_label(*p), self.chart.codes[cc], acc, money_text(pence), desc]
                for p, cc, acc, desc, _ye, pence in chosen
            ],
        )
        return rel

    def activity(self, sub: str, fy: int, as_of: int, commitments: bool) -> list[str]:
        header, episodes = ssda903(self.care, fy, as_of, final=fy < SCORED_FY)
        write_csv(self.folder / sub / "header.csv", HEADER_COLUMNS, header)
        write_csv(self.folder / sub / "episodes.csv", EPISODE_COLUMNS, episodes)
        paths = [f"{sub}/header.csv", f"{sub}/episodes.csv"]
        if commitments:
            write_csv(
                self.folder / sub / "placement_costs.csv",
                PLACEMENT_COLUMNS,
                placement_costs(self.care, self.money, self.chart, as_of, fy_start(fy)),
            )
            write_csv(
                self.folder / sub / "establishment.csv",
                ESTABLISHMENT_COLUMNS,
                establishment_rows(self.posts, as_of),
            )
            write_csv(
                self.folder / sub / "allowances.csv",
                ALLOWANCE_COLUMNS,
                allowances(self.money, as_of, fy_start(fy)),
            )
            paths += [
                f"{sub}/placement_costs.csv",
                f"{sub}/establishment.csv",
                f"{sub}/allowances.csv",
            ]
        return paths

    def step(self, as_of: int, label: str, paths: list[str]) -> None:
        self.steps.append({"as_of": iso(as_of), "label": label, "paths": paths})


def build_council(spec: CouncilSpec, seed: int, folder: Path) -> dict[str, object]:
    base = seed * 1_000_003 + spec.index * 7919
    care = simulate_care(spec, base + 1)
    chart = build_chart(spec.cost_centre_style, spec.accrual_account_separate)
    money = build_money(spec, care, chart, base + 2)
    posts, suppliers = build_posts(spec, chart, base + 3)
    ledger = Ledger(chart)
    post_agreements(ledger, money.placements, spec, PLACEMENT_LINES)
    post_agreements(ledger, money.allowances, spec, ALLOWANCE_LINES)
    post_interagency(ledger, money.interagency)
    staffing_true = post_staffing(ledger, posts, spec, suppliers)
    other_true = post_other_lines(ledger, spec, random.Random(base + 4))
    income_true = post_income(ledger, spec, money.placements, money.uasc_claim)
    w = _Writer(folder, care, money, posts, ledger)
    outturns = {fy: _outturn(w.rows, chart, fy) for fy in range(LEDGER_FIRST_FY - 1, SCORED_FY + 1)}
    first_true = _true_cost(money, staffing_true, other_true, income_true, LEDGER_FIRST_FY - 1)
    budgets = _budgets(outturns, first_true, random.Random(base + 5))

    write_csv(
        folder / "history" / "cost_centres.csv",
        ("COST_CENTRE", "SERVICE_LINE", "S251_LINE"),
        [[c, ln, s] for c, ln, s in zip(chart.codes, chart.lines, chart.s251, strict=True)],
    )
    for fy in range(LEDGER_FIRST_FY, SCORED_FY):
        as_of = fy_end(fy) + spec.extract_lag_days
        sub = f"history/{fy_label(fy)}"
        paths = ["history/cost_centres.csv"] if fy == LEDGER_FIRST_FY else []
        paths += w.activity(sub, fy, as_of, spec.history_commitments)
        periods = set(months_between((fy, 4), (fy + 1, 3)))
        paths.append(w.gl(f"{sub}/gl_actuals.csv", periods, year_end=True))
        years = [fy, fy + 1] if fy + 1 == SCORED_FY else [fy]
        write_csv(
            folder / sub / "budget.csv",
            ("FINANCIAL_YEAR", "SERVICE_LINE", "BUDGET"),
            [[fy_label(y), ln, f"{budgets[y][ln]:.2f}"] for y in years for ln in LINES],
        )
        paths.append(f"{sub}/budget.csv")
        w.step(as_of, "history", paths)
    for y, m in months_between((SCORED_FY, 4), (SCORED_FY + 1, 3)):
        as_of = month_end(y, m) + spec.extract_lag_days
        sub = f"extracts/{period_label(y, m)}"
        paths = w.activity(sub, SCORED_FY, as_of, True)
        paths.append(w.gl(f"{sub}/gl_actuals.csv", {(y, m)}, year_end=False))
        w.step(as_of, f"extract {period_label(y, m)}", paths)
    w.step(
        OUTTURN_AS_OF,
        "outturn",
        [w.gl("outturn/gl_actuals.csv", {(SCORED_FY + 1, 3)}, year_end=True)],
    )

    stock = sum(
        1 for c in care.children for e in c.episodes if e.decom <= fy_start(SCORED_FY) < e.dec
    )
    outturn = outturns[SCORED_FY]
    council: dict[str, object] = {
        "name": spec.name,
        "la_code": spec.la_code,
        "financial_year": fy_label(SCORED_FY),
        "convention": spec.convention,
        "conventions_by_line": spec.conventions_by_line,
        "year_end_accrual": spec.year_end_accrual,
        "traits": spec.traits(stock),
        "steps": w.steps,
        "outturn": {
            "total": sum(outturn.values()) / 100,
            "lines": {k: v / 100 for k, v in outturn.items()},
        },
        "true_cost": _with_total(
            _true_cost(money, staffing_true, other_true, income_true, SCORED_FY)
        ),
        "budget": _with_total(budgets[SCORED_FY]),
        "history_outturn": {
            fy_label(fy): sum(outturns[fy].values()) / 100
            for fy in range(LEDGER_FIRST_FY, SCORED_FY)
        },
    }
    (folder / "council.json").write_text(json.dumps(council, indent=1) + "\n", encoding="utf-8")
    return council


def _with_total(lines: dict[str, float]) -> dict[str, object]:
    return {"total": round(float(np.sum(list(lines.values()))), 2), "lines": lines}
