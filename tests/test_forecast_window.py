"""The days left in the year after a close, and the month each falls in."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from carecast.domain.periods import Period
from carecast.forecast.window import Window


def test_the_days_after_the_p6_close_fall_in_six_months_october_to_march() -> None:
    window = Window.after(Period.parse("2018-09"))
    assert window.days == 31 + 30 + 31 + 31 + 28 + 31 == 182
    assert [p.label for p in window.periods] == [
        "2018-10",
        "2018-11",
        "2018-12",
        "2019-01",
        "2019-02",
        "2019-03",
    ]
    months = window.month_of_day
    assert np.bincount(months).tolist() == [31, 30, 31, 31, 28, 31]
    assert months[0] == 0
    assert months[31] == 1  # 1 November
    assert months[92] == 3  # 1 January 2019: the calendar year turns, the index runs on
    assert months[-1] == 5


def test_a_window_starting_mid_month_counts_its_first_month_from_its_first_day() -> None:
    window = Window(date(2019, 2, 20), date(2019, 3, 31))
    assert window.days == 9 + 31
    assert np.bincount(window.month_of_day).tolist() == [9, 31]


def test_the_close_of_period_12_leaves_no_days() -> None:
    window = Window.after(Period.parse("2019-03"))
    assert window.days == 0
    assert window.periods == []
    assert window.month_of_day.shape == (0,)


def test_the_months_of_the_days_are_worked_out_once_and_cannot_be_changed_by_a_reader() -> None:
    window = Window.after(Period.parse("2018-09"))
    assert window.month_of_day is window.month_of_day
    with pytest.raises(ValueError, match="read-only"):
        window.month_of_day[0] = 5
    window.periods.append(Period.parse("2019-04"))  # a reader's own list
    assert len(window.periods) == 6
