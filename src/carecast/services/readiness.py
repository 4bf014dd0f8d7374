"""Close readiness: what a forecast stands on, checked before it runs.

`check_readiness` is pure: it reads what was known at the close (the `ActivityState`) and the
import batches behind it, and returns findings. A refusal stops the close and nothing is stored; a
flag is stored with the snapshot and shown wherever the snapshot is.

- `period-beyond-data` (always refused): no ledger actuals for the period or later, and no import
  as of a date in the period or later: a forecast would be all extrapolation against no budget.
- `ledger-periods-missing` (refused; flagged with --allow-incomplete): months of the year up to the
  period with no ledger actuals at all, so actuals to date leave them out.
- `extract-stale` (flag): the latest commitments, establishment or episodes extract is more than
  `STALE_AFTER_DAYS` older than the period's last day.
- `budget-line-without-cost-centre` (flag): the year's budget funds a line no cost centre maps to.
- `line-zero-postings` (flag): a line that posted in each of the 12 months before it has a month of
  the year to date with nothing posted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from carecast.domain.codes import ServiceLine
from carecast.domain.periods import Period
from carecast.domain.provenance import ImportBatch
from carecast.domain.readiness import Gravity, ReadinessFinding
from carecast.domain.state import ActivityState
from carecast.errors import CloseNotReady
from carecast.forecast.backtest import missing_ledger_periods as periods_without_actuals

# An extract this many days older than the period's last day no longer describes the period.
STALE_AFTER_DAYS = 45
# Extracts whose age matters, with the words used for them in messages.
EXTRACTS = {
    "placement_costs": "placement commitments (placement_costs)",
    "establishment": "staffing establishment (establishment)",
    "ssda903_episodes": "SSDA903 episodes",
}
HISTORY_MONTHS = 12  # a line "always posts" when it posted in each of this many months before


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _known(batches: Iterable[ImportBatch], known_on: date) -> list[ImportBatch]:
    return [b for b in batches if b.as_of <= known_on]


def _runs(periods: Sequence[Period]) -> str:
    """2018-04 … 2018-08, 2018-11: consecutive months written as one run."""
    groups: list[list[Period]] = []
    for period in sorted(periods):
        if groups and groups[-1][-1].next() == period:
            groups[-1].append(period)
        else:
            groups.append([period])
    return ", ".join(str(g[0]) if len(g) == 1 else f"{g[0]} … {g[-1]}" for g in groups)


def beyond_data(
    state: ActivityState, period: Period, batches: Iterable[ImportBatch]
) -> ReadinessFinding | None:
    """A refusal when nothing known at the close reaches `period`: no ledger actuals for it or a
    later period, and no import as of a date on or after its first day."""
    known = _known(batches, state.known_on)
    ledger_periods = {e.period for e in state.ledger}
    if any(p >= period for p in ledger_periods) or any(b.as_of >= period.first_day for b in known):
        return None
    latest = max(ledger_periods, default=None)
    newest = max((b.as_of for b in known), default=None)
    ledger = f"the ledger's latest period is {latest}" if latest else "no ledger actuals are known"
    imports = f"the newest import is as of {_day(newest)}" if newest else "nothing was imported"
    fix = f"forecast {latest} or an earlier period" if latest else "import gl_actuals first"
    return ReadinessFinding(
        "period-beyond-data",
        Gravity.REFUSE,
        f"period {period} is beyond the data known by {_day(state.known_on)}: {ledger} and "
        f"{imports}, before {period} began; import {period}'s gl_actuals and extracts (with an "
        f"--as-of date in or after {period}), or {fix}",
    )


def missing_ledger_periods(
    state: ActivityState, period: Period, *, allow_incomplete: bool
) -> ReadinessFinding | None:
    """Months of the year up to `period` with no ledger actuals at all."""
    year = period.financial_year
    missing = [p for p in periods_without_actuals(state.ledger, year) if p <= period]
    if not missing:
        return None
    which = f"the ledger holds no actuals for {_runs(missing)} of {year}"
    if allow_incomplete:
        return ReadinessFinding(
            "ledger-periods-missing",
            Gravity.FLAG,
            f"{which}: forecast anyway (--allow-incomplete), so actuals to date leave those "
            "months out and the forecast is too low by what they spent; import those periods' "
            "gl_actuals and forecast again",
        )
    return ReadinessFinding(
        "ledger-periods-missing",
        Gravity.REFUSE,
        f"{which}: import those periods' gl_actuals, or rerun with --allow-incomplete to "
        "forecast anyway (the forecast will be flagged)",
    )


def stale_extracts(
    state: ActivityState, period: Period, batches: Iterable[ImportBatch]
) -> list[ReadinessFinding]:
    """A flag for each activity extract imported as of a date long before the period ended."""
    latest: dict[str, date] = {}
    for batch in _known(batches, state.known_on):
        if batch.dataset in EXTRACTS:
            latest[batch.dataset] = max(batch.as_of, latest.get(batch.dataset, batch.as_of))
    cutoff = period.last_day - timedelta(days=STALE_AFTER_DAYS)
    return [
        ReadinessFinding(
            "extract-stale",
            Gravity.FLAG,
            f"the latest {words} extract is as of {_day(latest[dataset])}, "
            f"{(period.last_day - latest[dataset]).days} days before {period} ended: the "
            f"forecast counts them as they stood then; import an extract as of a date near "
            f"{_day(period.last_day)} and forecast again",
        )
        for dataset, words in EXTRACTS.items()
        if dataset in latest and latest[dataset] < cutoff
    ]


def budgets_without_cost_centres(state: ActivityState, period: Period) -> list[ReadinessFinding]:
    """A flag for each line the year's budget funds but no cost centre maps to."""
    year = period.financial_year.label
    mapped = {cc.service_line for cc in state.cost_centres}
    funded: dict[ServiceLine, Decimal] = defaultdict(Decimal)
    for budget in state.budget:
        if budget.financial_year == year:
            funded[budget.service_line] += budget.amount
    return [
        ReadinessFinding(
            "budget-line-without-cost-centre",
            Gravity.FLAG,
            f"the {year} budget gives {line.heading} ({line.value}) £{funded[line]:,.2f} but no "
            "cost centre maps to that line, so no spend can be counted against it; add its cost "
            f"centres to cost_centres.csv with SERVICE_LINE {line.value} and import it",
        )
        for line in ServiceLine
        if line in funded and funded[line] != 0 and line not in mapped
    ]


def zero_posting_months(state: ActivityState, period: Period) -> list[ReadinessFinding]:
    """A flag for each line that posted in each of the 12 months before a month of the year to
    date in which it posted nothing (months missing from the whole ledger are reported apart)."""
    line_of = {cc.code: cc.service_line for cc in state.cost_centres}
    spent: dict[ServiceLine, dict[Period, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    codes: dict[ServiceLine, set[str]] = defaultdict(set)
    present: set[Period] = set()
    for entry in state.ledger:
        present.add(entry.period)
        line = line_of.get(entry.cost_centre)
        if line is not None:
            spent[line][entry.period] += entry.amount
            codes[line].add(entry.cost_centre)
    year_to_date = [p for p in period.financial_year.periods()[: period.number] if p in present]
    findings = []
    for line in ServiceLine:
        months = spent.get(line, {})
        silent = [p for p in year_to_date if months.get(p, Decimal(0)) == 0]
        if not silent:
            continue
        before = [silent[0]]
        for _ in range(HISTORY_MONTHS):
            before.append(before[-1].previous())
        if not all(months.get(p, Decimal(0)) != 0 for p in before[1:]):
            continue
        findings.append(
            ReadinessFinding(
                "line-zero-postings",
                Gravity.FLAG,
                f"{line.heading} ({line.value}) posted in each of the {HISTORY_MONTHS} months "
                f"before {silent[0]} but nothing in {_runs(silent)}: actuals to date are probably "
                "too low (a missing feed or a miscoded cost centre); check those periods' "
                f"gl_actuals for {', '.join(sorted(codes[line]))} and re-import them",
            )
        )
    return findings


def check_readiness(
    state: ActivityState,
    period: Period,
    batches: Sequence[ImportBatch],
    *,
    allow_incomplete: bool = False,
) -> list[ReadinessFinding]:
    """Everything wrong with the data a close of `period` stands on, refusals first.

    `batches` are the council's import batches (those after the close are left out here)."""
    beyond = beyond_data(state, period, batches)
    if beyond is not None:
        return [beyond]  # every other check would only restate it
    missing = missing_ledger_periods(state, period, allow_incomplete=allow_incomplete)
    return [
        *([] if missing is None else [missing]),
        *stale_extracts(state, period, batches),
        *budgets_without_cost_centres(state, period),
        *zero_posting_months(state, period),
    ]


def refuse_unready(findings: Iterable[ReadinessFinding]) -> list[ReadinessFinding]:
    """Raise `CloseNotReady` listing every refusal; otherwise return the flags to store."""
    found = list(findings)
    refusals = [f for f in found if f.severity is Gravity.REFUSE]
    if refusals:
        raise CloseNotReady([f.format() for f in refusals])
    return found
