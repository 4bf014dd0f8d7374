"""The projection's expected course: simulate.py's monthly stock-flow with expected counts in
place of draws, at the fitted rates' point values (no gamma multipliers, no drawn entry
coefficients, no wander of the entry rate), for a deterministic base beside a peer's.

The state is exact, not a discretisation. A child's band of age, of time in placement and of time
in care turns at whole months (the band limits are whole months, and a value reaches a limit
when its whole part does), and every clock moves a month at a time — so the expected number of
children in each (category, whole months of age 0–216, whole months in placement capped at 24,
whole months in care capped at 24) gives every child's chances exactly as simulate.py's
fractional clocks do. Age 216 holds only the month's entrants who reach 18 during their first
month (simulate.py lets them end it in care); a cap of 24 is the last band's lower limit, past
which the chances never change.

Each month, as simulate.py orders it: every child leaves care or moves (to a placement begun
now: time in placement 0) with the month's chances; everyone ages a month and those reaching
216 months turn 18; the month's expected entrants arrive, the entrant mix being the recent
entrants' own weights (each path's Bayesian-bootstrap weights average to them). An entrant
arrives at a uniform moment s of the month and is at risk for the rest of it: in expectation
∫₀¹ e^(−λs) ds of them are still there, unchanged, and the integral splits at 1 − frac(age),
where their whole months of age turn over (simulate.py adds s to their age).

Children who never left the placement they had at the start are followed one by one (each is a
point moving along its own clocks), so the children placed since the start are the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from carecast.forecast.history import AGE_BANDS, FloatArray, IntArray
from carecast.projection.model import Entries, ProjectionModel
from carecast.projection.simulate import Paths
from carecast.projection.transitions import (
    ADULT_MONTHS,
    AGE_MONTHS,
    CARE_MONTHS,
    CATEGORIES,
    DURATION_BANDS,
    DURATION_MONTHS,
    LEAVE,
    Transitions,
    age_band_of_months,
    care_band,
    duration_band,
)

AGES = ADULT_MONTHS + 1  # whole months of age 0…216 (216: an entrant who turned 18 on arrival)
CAP = max(DURATION_MONTHS[-1], CARE_MONTHS[-1])  # whole months in placement or care, capped
CLOCK = CAP + 1
_AGE_STARTS = np.array((0, *AGE_MONTHS))  # first whole month of each age band
_AGE_RANGES = [(int(a), int(b)) for a, b in zip(_AGE_STARTS, (*AGE_MONTHS, AGES), strict=True)]
_CARE_RANGES = [
    (int(a), int(b)) for a, b in zip((0, *CARE_MONTHS), (*CARE_MONTHS, CLOCK), strict=True)
]
_DURATION_STARTS = np.array((0, *DURATION_MONTHS))
_DURATION_RANGES = [
    (int(a), int(b)) for a, b in zip(_DURATION_STARTS, (*DURATION_MONTHS, CLOCK), strict=True)
]
_CLOCK_DURATION_BAND = duration_band(np.arange(CLOCK, dtype=float))  # (25,)
_CLOCK_CARE_BAND = care_band(np.arange(CLOCK, dtype=float))
_AGE_BAND = age_band_of_months(np.arange(AGES, dtype=float))  # (217,)
_NEVER = 1 - 1e-12  # simulate.py's cap on a chance before raising it to a fraction of a month


@dataclass(frozen=True)
class ExpectedStock:
    """Expected children looked after and flows: `Paths` without its paths axis."""

    stock: FloatArray  # (steps + 1, categories, age bands) children at each month end
    entries: FloatArray  # (steps,) children entering care in each month
    left: FloatArray  # (steps,) leaving care before 18
    turned_18: FloatArray  # (steps,)
    placements_begun: FloatArray  # (steps, categories) by entrants and by moves
    placed_since_start: FloatArray  # (steps + 1, categories) in placements begun after the start

    @property
    def totals(self) -> FloatArray:
        """(steps + 1,) children looked after at each month end."""
        return self.stock.sum(axis=(1, 2))  # type: ignore[no-any-return]

    def as_paths(self) -> Paths:
        """The expected course as one path (in fractions of children), for what prices paths."""
        return Paths(
            self.stock[:, None],
            self.entries[:, None],
            self.left[:, None],
            self.turned_18[:, None],
            self.placements_begun[:, None],
            self.placed_since_start[:, None],
        )


@dataclass(frozen=True)
class _Month:
    """One leaving scale's chances, in the shapes the month's arithmetic wants them."""

    end: FloatArray  # (C, age bands, K, T bands) chance of any change in a whole month
    # [age band][care band] → (placement bands × C, destinations + C): the chance of each
    # change (leaving care last), then of staying put in each category
    flows: list[list[FloatArray]]
    keep: FloatArray  # (placement bands, care bands, ages, C) the chance of no change
    arrival: FloatArray  # (ages, C) where one expected entrant is at the month end
    arrival_left: float  # of one expected entrant, the chance of leaving in its first month
    arrival_begun: FloatArray  # (C,) placements one expected entrant begins in its first month


def _chances(transitions: Transitions, factor: float) -> tuple[FloatArray, FloatArray]:
    """(end, change): the chance of any change in a month (C, A, K, T), and of each destination
    (C, A, K, T, D), leaving care last — simulate.py's competing rates, its every rate of
    leaving care times `factor`."""
    rates = transitions.rates
    leave = rates[..., LEAVE] * factor
    moves = rates[..., :LEAVE]
    total = leave + moves.sum(axis=-1)
    end = -np.expm1(-total)
    leaving = np.divide(leave, total, out=np.ones_like(total), where=total > 0)
    shares = moves / np.maximum(moves.sum(axis=-1, keepdims=True), 1e-300)
    change = np.concatenate(
        [(end * (1 - leaving))[..., None] * shares, (end * leaving)[..., None]], axis=-1
    )
    return end, change


def _month(transitions: Transitions, entries: Entries | None, factor: float) -> _Month:
    end, change = _chances(transitions, factor)
    keep = 1 - end
    stays = np.eye(CATEGORIES)[:, None, :]  # (C, 1, C): a child who stays is where it was
    flows = [
        [
            np.concatenate(
                [change[:, age, :, care], keep[:, age, :, care][..., None] * stays], axis=-1
            )
            .transpose(1, 0, 2)
            .reshape(DURATION_BANDS * CATEGORIES, -1)
            for care in range(len(_CARE_RANGES))
        ]
        for age in range(AGE_BANDS)
    ]
    by_age = keep[:, _AGE_BAND].transpose(2, 3, 1, 0)  # (K, T, ages, C)
    arrival, arrival_left, arrival_begun = _arrivals(end, change, entries)
    return _Month(
        end,
        flows,
        np.ascontiguousarray(by_age),
        arrival,
        arrival_left,
        arrival_begun,
    )


def _exposure(rate: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """∫ e^(−rate·s) ds from `lo` to `hi`: of children at risk from a uniform moment s, those
    with s in [lo, hi) and no change by the month end."""
    small = rate < 1e-12
    safe = np.where(small, 1.0, rate)
    exact = np.exp(-safe * lo) * -np.expm1(-safe * (hi - lo)) / safe
    return np.where(small, hi - lo, exact)


def _arrivals(
    end: FloatArray, change: FloatArray, entries: Entries | None
) -> tuple[FloatArray, float, FloatArray]:
    """Of one expected entrant (the recent entrants weighted alike): where it is at its first
    month end (ages × categories), its chance of having left, and the placements it began."""
    arrival = np.zeros((AGES, CATEGORIES))
    begun = np.zeros(CATEGORIES)
    if entries is None or not len(entries.category):
        return arrival, 0.0, begun
    weight = 1.0 / len(entries.category)
    category = entries.category
    age = entries.age_months.astype(np.float32)  # simulate.py's clocks are float32
    band = age_band_of_months(age.astype(np.float64))
    whole = np.clip(np.floor(age), 0, ADULT_MONTHS - 1).astype(np.int64)
    turn = 1.0 - (age - np.floor(age)).astype(np.float64)  # from here on, a month older
    chance = np.minimum(end[category, band, 0, 0], _NEVER)
    rate = -np.log1p(-chance)
    stay = (_exposure(rate, np.zeros_like(turn), turn), _exposure(rate, turn, np.ones_like(turn)))
    shares = change[category, band, 0, 0]  # (entrants, D)
    ended = np.maximum(end[category, band, 0, 0], 1e-300)  # the shares of a change sum to 1
    leave_share = shares[:, LEAVE] / ended
    move_share = shares[:, :LEAVE] / ended[:, None]  # (entrants, C): of those who change
    moved_total = np.zeros(len(category))
    for older, (span, stayed) in enumerate(((turn, stay[0]), (1.0 - turn, stay[1]))):
        np.add.at(arrival, (whole + older, category), weight * stayed)
        changed = span - stayed
        movers = changed[:, None] * move_share
        np.add.at(arrival, (whole + older), weight * movers)
        moved_total += changed
    np.add.at(begun, category, weight)
    begun += weight * (moved_total[:, None] * move_share).sum(axis=0)
    left = float(weight * (moved_total * leave_share).sum())
    return arrival, left, begun


class _Unmoved:
    """The children still in the placement they had at the start, one row each: the chance that
    each is, and its whole months of age, placement and care."""

    def __init__(self, model: ProjectionModel) -> None:
        self.category = model.category.astype(np.int64)
        self.age, self.duration, self.care = _clocks(model)
        self.chance = np.ones(len(self.category))

    def month(self, end: FloatArray) -> None:
        cell = (
            self.category,
            _AGE_BAND[self.age],
            _CLOCK_DURATION_BAND[self.duration],
            _CLOCK_CARE_BAND[self.care],
        )
        self.chance = self.chance * (1 - end[cell])
        self.age = np.minimum(self.age + 1, ADULT_MONTHS)  # at 18 its chance is nothing
        self.duration = np.minimum(self.duration + 1, CAP)
        self.care = np.minimum(self.care + 1, CAP)
        self.chance[self.age >= ADULT_MONTHS] = 0.0

    def by_category(self) -> FloatArray:
        return np.bincount(self.category, self.chance, minlength=CATEGORIES).astype(np.float64)


def _whole(months: FloatArray, cap: int) -> IntArray:
    """Whole months of a clock as simulate.py's float32 reads it, within 0…cap (an age before
    birth, a date error, counts as a newborn's: its band is the same, its next a month late)."""
    return np.clip(np.floor(months.astype(np.float32)), 0, cap).astype(np.int64)


def _clocks(model: ProjectionModel) -> tuple[IntArray, IntArray, IntArray]:
    """Whole months of age, in placement and in care of the children on the start day. Time in
    care is at least time in placement (fit.py counts care from the first placement of the
    period), so no child is ever where fewer months in care than in placement would put it:
    `_age_forward` skips those cells."""
    duration = _whole(model.duration_months, CAP)
    care = np.maximum(_whole(model.care_months, CAP), duration)
    return _whole(model.age_months, ADULT_MONTHS - 1), duration, care


def _start(model: ProjectionModel) -> FloatArray:
    """(months in placement, in care, of age; categories): the children on the start day. The
    clock a move resets comes first, so that its months are contiguous slabs."""
    state = np.zeros((CLOCK, CLOCK, AGES, CATEGORIES))
    age, duration, care = _clocks(model)
    np.add.at(state, (duration, care, age, model.category.astype(np.int64)), 1.0)
    return state


class _Changes:
    """The month's expected changes out of a state, with buffers kept from month to month."""

    def __init__(self, columns: int) -> None:
        # rows with fewer months in care than a band's months in placement stay empty (zero)
        self.by_band = np.zeros((DURATION_BANDS, CLOCK, AGES, CATEGORIES))
        self.rows = np.empty((CLOCK, AGES, DURATION_BANDS, CATEGORIES))
        self.out = np.empty((CLOCK, AGES, columns))

    def of(self, state: FloatArray, month: _Month) -> FloatArray:
        """(care, ages, destinations + categories): the changes out of `state` by destination
        (leaving care last), then those who stayed put, by category."""
        for k, (d0, d1) in enumerate(_DURATION_RANGES):
            np.sum(state[d0:d1, d0:], axis=0, out=self.by_band[k, d0:])
        np.copyto(self.rows, self.by_band.transpose(1, 2, 0, 3))
        for age, (a0, a1) in enumerate(_AGE_RANGES):
            for care, (t0, t1) in enumerate(_CARE_RANGES):
                block = self.rows[t0:t1, a0:a1].reshape(t1 - t0, a1 - a0, -1)
                np.matmul(block, month.flows[age][care], out=self.out[t0:t1, a0:a1])
        return self.out


def _age_forward(state: FloatArray, keep: FloatArray, moved: FloatArray, out: FloatArray) -> None:
    """`out` ← those in `state` who stayed put (the chance `keep`) and those who moved (`moved`
    by (care, age, category), in a placement begun this month), a month older, longer in
    placement and in care; those reaching 18 (216 months) are gone, and none is younger than a
    month or new to care (the entrants come after). Only cells with at least as many months in
    care as in placement are ever filled, in `state` and in `out` (which must start so)."""
    young, older = slice(0, ADULT_MONTHS - 1), slice(1, ADULT_MONTHS)
    for d in range(CLOCK):
        k, into = _CLOCK_DURATION_BAND[d], out[min(d + 1, CAP)]
        for band, (t0, t1) in enumerate(_CARE_RANGES):
            lo, hi = max(t0, d), min(t1, CAP)
            if lo < hi:  # months in care lo…hi − 1 become lo + 1…hi
                stayed = state[d, lo:hi, young]
                if d < CAP:
                    np.multiply(stayed, keep[k, band, young], out=into[lo + 1 : hi + 1, older])
                else:  # joins those who reached the cap this month
                    into[lo + 1 : hi + 1, older] += stayed * keep[k, band, young]
            if t1 == CLOCK:  # at the cap of months in care, after those who reached it
                into[CAP, older] += state[d, CAP, young] * keep[k, band, young]
    out[1, 1:, older] += moved[:CAP, young]
    out[1, CAP, older] += moved[CAP, young]
    out[0] = 0.0
    out[:, :, 0] = 0.0
    out[:, :, ADULT_MONTHS:] = 0.0


def expected_entries(entries: Entries | None, steps: int) -> FloatArray:
    """(steps,) each month's expected entries at the fitted coefficients, within the ceiling
    simulate.py holds every path's rate to."""
    if entries is None or not len(entries.category):
        return np.zeros(steps)
    log_mean = np.minimum(entries.design @ entries.beta + entries.offset, np.log(entries.ceiling))
    return np.exp(log_mean)[:steps]


def expected_paths(model: ProjectionModel) -> ExpectedStock:
    """The expected course of `model`, month by month (see the module's docstring)."""
    steps = model.steps
    state, spare = _start(model), np.zeros((CLOCK, CLOCK, AGES, CATEGORIES))
    unmoved = _Unmoved(model)
    arriving = expected_entries(model.entries, steps)
    stock = np.zeros((steps + 1, CATEGORIES, AGE_BANDS))
    placed = np.zeros((steps + 1, CATEGORIES))
    left, adult = np.zeros(steps), np.zeros(steps)
    begun = np.zeros((steps, CATEGORIES))
    stock[0] = _stock(state.sum(axis=(0, 1)))
    tables: tuple[float, _Month] | None = None
    changing = _Changes(LEAVE + 1 + CATEGORIES)
    scales = model.leaving_scale or (1.0,) * steps
    for step in range(steps):
        factor = float(scales[step])
        if tables is None or tables[0] != factor:
            # one month's tables at a time: a scenario's changing scale rebuilds them
            tables = factor, _month(model.transitions, model.entries, factor)
        month = tables[1]
        changes = changing.of(state, month)
        moved = changes[..., :LEAVE]  # (care, ages, categories)
        after = moved + changes[..., LEAVE + 1 :]  # in care at the month end, before ageing
        left[step] = changes[..., LEAVE].sum()
        begun[step] = moved.sum(axis=(0, 1))
        adult[step] = after[:, ADULT_MONTHS - 1 :].sum()
        unmoved.month(month.end)
        _age_forward(state, month.keep, moved, spare)
        state, spare = spare, state
        state[0, 0] += arriving[step] * month.arrival
        left[step] += arriving[step] * month.arrival_left
        begun[step] += arriving[step] * month.arrival_begun
        by_age = arriving[step] * month.arrival
        by_age[1:ADULT_MONTHS] += after[:, : ADULT_MONTHS - 1].sum(axis=0)
        stock[step + 1] = _stock(by_age)
        placed[step + 1] = np.maximum(stock[step + 1].sum(axis=1) - unmoved.by_category(), 0.0)
    return ExpectedStock(stock, arriving, left, adult, begun, placed)


def _stock(by_age: FloatArray) -> FloatArray:
    """(categories, age bands) of children by (whole months of age, category)."""
    return np.add.reduceat(by_age, _AGE_STARTS, axis=0).T
