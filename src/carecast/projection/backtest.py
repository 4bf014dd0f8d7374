"""The projection checked against what happened: replays from earlier 31 Marches, scored.

A replay projects from an earlier 31 March using only what was known then (`as_known_on`: the
episodes begun by that day, their later ends reopened, and only the children they are about)
and is compared month by month with the children the full history shows looked after at each
month end, counted the way the projection counts its start. At 12, 24 and 36 months each replay
gives the error of its P50 (in total and by category) and whether the P10–P90 band held.

The residuals also calibrate the bands (`BandCalibration`): on the log scale a replay's miss at
a horizon should look like a draw of the spread its band implies, σ = (ln P90 − ln P10) ÷ 2.563.
The ratio of the misses' mean square to the bands' is the factor the parameter uncertainty (the
entries' yearly wander and coefficients, the rates' gamma multipliers) is scaled by, shrunk
towards 1 by how few residuals there are, as the forecast's calibration shrinks its bias.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from carecast.domain.state import ActivityState
from carecast.forecast.history import FloatArray, build_history, known_placements
from carecast.projection.fit import CATEGORY_NAMES
from carecast.projection.model import ProjectionModel
from carecast.projection.simulate import Paths
from carecast.projection.transitions import CATEGORIES

HORIZONS = (12, 24, 36)  # months after the start that are scored
Z80 = 1.2816  # P90's distance from the median of a normal, in standard deviations
SHRINK = 2.0  # residuals count as much as this many that agree with the bands, towards 1
MIN_FACTOR, MAX_FACTOR = 0.5, 2.0  # at most halved or doubled


def as_known_on(state: ActivityState, day: date) -> ActivityState:
    """`state` cut back to what was known of children looked after on `day`: episodes begun by
    then with later ends (and reasons) reopened, the children they are about, nothing else."""
    episodes = tuple(
        e if e.dec is None or e.dec <= day else replace(e, dec=None, rec=None)
        for e in state.episodes
        if e.decom <= day
    )
    seen = {e.child_id for e in episodes}
    return ActivityState(
        known_on=day,
        children=tuple(c for c in state.children if c.child_id in seen),
        episodes=episodes,
    )


def observed_counts(state: ActivityState, until: date, days: Sequence[date]) -> np.ndarray:
    """(days, categories) children looked after at the end of each of `days` as the history
    known on `until` tells it (placements open then, not past their 18th birthday); days after
    `until` are not known and are left out by the caller."""
    history = build_history(known_placements(state.episodes, until), state.children, until)
    counts = np.zeros((len(days), CATEGORIES), dtype=np.int64)
    for i, day in enumerate(days):
        d = day.toordinal()
        live = (history.start <= d) & (history.end > d) & (history.adult > d)
        counts[i] = np.bincount(history.line[live], minlength=CATEGORIES)
    return counts


@dataclass(frozen=True)
class Replay:
    """One replay: the projection's bands and what happened, month by month."""

    start: date
    start_children: int
    month_ends: tuple[date, ...]  # the months with an outcome on record
    observed: np.ndarray  # (months, categories)
    p10: np.ndarray  # (months, categories + 1): each category's band, then the total's
    p50: np.ndarray
    p90: np.ndarray
    factor: float = 1.0  # the calibration its bands were drawn with

    @property
    def observed_total(self) -> np.ndarray:
        return self.observed.sum(axis=1)  # type: ignore[no-any-return]

    def error(self, month: int, column: int = CATEGORIES) -> float | None:
        """(P50 − observed) ÷ observed at `month` (1-based) for a category or the total (None
        past the data, or when nobody was observed)."""
        if month > len(self.month_ends):
            return None
        seen = self._observed(month, column)
        return None if seen == 0 else float(self.p50[month - 1, column] - seen) / seen

    def held(self, month: int, column: int = CATEGORIES) -> bool | None:
        if month > len(self.month_ends):
            return None
        seen = self._observed(month, column)
        return bool(self.p10[month - 1, column] <= seen <= self.p90[month - 1, column])

    def _observed(self, month: int, column: int) -> float:
        row = self.observed[month - 1]
        return float(row.sum() if column == CATEGORIES else row[column])

    def residuals(self, horizons: Iterable[int] = HORIZONS) -> list[Residual]:
        """The total's log miss and the log spread its band implied, at each scored horizon."""
        out = []
        for month in horizons:
            if month > len(self.month_ends):
                continue
            seen = float(self.observed_total[month - 1])
            p10, p50, p90 = (q[month - 1, CATEGORIES] for q in (self.p10, self.p50, self.p90))
            if min(seen, p10, p50) <= 0:
                continue
            spread = (math.log(p90) - math.log(p10)) / (2 * Z80)
            out.append(Residual(self.month_ends[month - 1], math.log(seen / p50), spread))
        return out

    def as_json(self) -> dict[str, object]:
        names = [*CATEGORY_NAMES, "total"]
        return {
            "from": self.start.isoformat(),
            "children_at_start": self.start_children,
            "band_factor": round(self.factor, 4),
            "horizons": {
                str(month): {
                    name: {
                        "observed": int(self._observed(month, i)),
                        "p10": float(self.p10[month - 1, i]),
                        "p50": float(self.p50[month - 1, i]),
                        "p90": float(self.p90[month - 1, i]),
                        "error": _rounded(self.error(month, i)),
                        "held": self.held(month, i),
                    }
                    for i, name in enumerate(names)
                }
                for month in HORIZONS
                if month <= len(self.month_ends)
            },
            "months": [
                {
                    "date": day.isoformat(),
                    "observed": int(self.observed_total[m]),
                    "p10": float(self.p10[m, CATEGORIES]),
                    "p50": float(self.p50[m, CATEGORIES]),
                    "p90": float(self.p90[m, CATEGORIES]),
                }
                for m, day in enumerate(self.month_ends)
            ],
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 5)


def score(
    model: ProjectionModel, paths: Paths, observed: np.ndarray, factor: float = 1.0
) -> Replay:
    """The replay of `model`'s `paths` against `observed` (its first months on record)."""
    months = len(observed)
    by_category = paths.stock[1 : months + 1].sum(axis=3)  # (months, paths, categories)
    stock = np.concatenate([by_category, by_category.sum(axis=2, keepdims=True)], axis=2)
    p10, p50, p90 = np.quantile(stock, (0.1, 0.5, 0.9), axis=1)
    return Replay(
        start=model.start,
        start_children=len(model.category),
        month_ends=model.month_ends[:months],
        observed=observed,
        p10=p10,
        p50=p50,
        p90=p90,
        factor=factor,
    )


@dataclass(frozen=True)
class Residual:
    day: date  # the month end whose outcome it is: known from then on
    miss: float  # ln(observed ÷ P50)
    spread: float  # the band's σ on the log scale, (ln P90 − ln P10) ÷ 2.563


@dataclass(frozen=True)
class BandCalibration:
    """How much wider (or narrower) the parameter uncertainty should be, from replays' misses."""

    residuals: tuple[Residual, ...] = ()

    @property
    def raw(self) -> float:
        """√(mean square miss ÷ mean square band spread): 1 when the bands were right."""
        spreads = sum(r.spread**2 for r in self.residuals)
        if not self.residuals or spreads <= 0:
            return 1.0
        return math.sqrt(sum(r.miss**2 for r in self.residuals) / spreads)

    @property
    def factor(self) -> float:
        """The raw ratio shrunk towards 1 on the log scale (n ÷ (n + SHRINK)), within limits."""
        n = len(self.residuals)
        if n == 0:
            return 1.0
        shrunk = math.exp(math.log(self.raw) * n / (n + SHRINK)) if self.raw > 0 else MIN_FACTOR
        return min(max(shrunk, MIN_FACTOR), MAX_FACTOR)

    def known_on(self, day: date) -> BandCalibration:
        """Only the residuals whose outcome was on record by `day`."""
        return BandCalibration(tuple(r for r in self.residuals if r.day <= day))

    def as_json(self) -> dict[str, object]:
        return {
            "residuals": len(self.residuals),
            "misses": [round(r.miss, 5) for r in self.residuals],
            "band_spreads": [round(r.spread, 5) for r in self.residuals],
            "raw_factor": round(self.raw, 4),
            "factor": round(self.factor, 4),
        }


def widen(model: ProjectionModel, factor: float) -> ProjectionModel:
    """`model` with its parameter uncertainty scaled by `factor`: the entries' yearly wander and
    coefficient spread, and the rates' (as if fitted on factor² fewer events)."""
    if factor == 1.0:
        return model
    transitions = replace(
        model.transitions,
        leave_events=_fewer(model.transitions.leave_events, factor),
        move_events=_fewer(model.transitions.move_events, factor),
    )
    entries = model.entries
    if entries is not None:
        entries = replace(
            entries,
            drift_sd=entries.drift_sd * factor,
            passing_sd=entries.passing_sd * factor,
            covariance=entries.covariance * factor**2,
        )
    assumptions = {**model.assumptions, "band_factor": round(factor, 4)}
    return replace(model, transitions=transitions, entries=entries, assumptions=assumptions)


def _fewer(events: FloatArray, factor: float) -> FloatArray:
    scaled: FloatArray = np.floor(events / factor**2)
    return scaled


@dataclass(frozen=True)
class HorizonSummary:
    """Replays scored at one horizon: median |error| of the total (and by category) and how
    often the 80% band held the total."""

    months: int
    replays: int
    median_abs_error: float | None
    median_error: float | None
    held: int
    category_median_abs_error: dict[str, float]

    def as_json(self) -> dict[str, object]:
        return {
            "months": self.months,
            "replays": self.replays,
            "median_abs_error": _rounded(self.median_abs_error),
            "median_error": _rounded(self.median_error),
            "band_held": self.held,
            "category_median_abs_error": {
                k: round(v, 5) for k, v in self.category_median_abs_error.items()
            },
        }


def summarise(replays: Sequence[Replay], months: int) -> HorizonSummary:
    errors = [e for r in replays if (e := r.error(months)) is not None]
    held = sum(bool(r.held(months)) for r in replays if r.held(months) is not None)
    by_category = {}
    for i, name in enumerate(CATEGORY_NAMES):
        values = [abs(e) for r in replays if (e := r.error(months, i)) is not None]
        if values:
            by_category[name] = float(np.median(values))
    return HorizonSummary(
        months,
        len(errors),
        float(np.median(np.abs(errors))) if errors else None,
        float(np.median(errors)) if errors else None,
        held,
        by_category,
    )
