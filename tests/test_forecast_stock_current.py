"""The placements open at the close carry what every block of simulated paths reads of them."""

from __future__ import annotations

import numpy as np
import pytest

from carecast.forecast.stock import Current, _add_rows


def one_child(weekly: float, uplift_from_day: int) -> Current:
    """One child placed at `weekly` a week, its price up 10% from a day, for four days."""
    factors = np.ones((1, 4))
    factors[0, uplift_from_day:] = 1.1
    return Current(
        keys=("C1",),
        line=np.array([0]),
        price=np.array([weekly]),
        factors=factors,
        cap=np.array([4]),
        forced=np.array([False]),
        adult=np.array([1000]),
        age0=np.array([3]),
        ages=np.full((1, 4), 3),
        end_rate=np.array([[0.5, 0.25, 0.125, 0.0]]),
        move_share=np.zeros((1, 4)),
    )


def test_the_cost_paid_by_each_day_and_the_ending_rate_to_each_day() -> None:
    """£700 a week is £100 a day, £110 once the uplift applies on the third day."""
    current = one_child(700.0, 2)
    assert current.paid_to[0].tolist() == pytest.approx([0.0, 100.0, 200.0, 310.0, 420.0])
    assert current.end_cumulative.tolist() == [[0.5, 0.75, 0.875, 0.875]]


def test_they_are_worked_out_once() -> None:
    current = one_child(700.0, 4)
    assert current.paid_to is current.paid_to
    assert current.end_cumulative is current.end_cumulative


def test_rows_are_added_as_np_add_at_adds_them_to_the_last_bit() -> None:
    """Expected costs add each open placement's days into its line's row, several placements to
    a line: row by row, the sums are np.add.at's exactly (the same additions, in order)."""
    rng = np.random.default_rng(3)
    lines = rng.integers(0, 8, 500)
    daily = rng.random((500, 10, 182)) * 1e4
    fast, slow = np.ones((8, 10, 182)), np.ones((8, 10, 182))
    _add_rows(fast, lines, daily)
    np.add.at(slow, lines, daily)
    assert fast.tobytes() == slow.tobytes()
