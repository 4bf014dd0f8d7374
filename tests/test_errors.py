"""Every carecast error survives the trip to another process whole."""

from __future__ import annotations

import pickle

import pytest

from carecast.errors import (
    CarecastError,
    CloseNotReady,
    InvalidInput,
    Issue,
    NotAvailableYet,
    NotFound,
    UsageError,
)

ERRORS = [
    CarecastError("something"),
    InvalidInput([Issue("allowances.csv", 68, "END_DATE", "end-before-start", "correct one")]),
    UsageError("--reason must say why"),
    NotAvailableYet("serve", "the web application"),
    NotFound("no ledger actuals"),
    CloseNotReady(["ledger-periods-missing: import 2018-04 … 2018-08"]),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_a_pickled_error_keeps_its_type_lines_and_exit_code(error: CarecastError) -> None:
    """A backtest or projection run in worker processes (or on a cluster) passes its refusals
    back: the parent must print the same located lines and exit the same way."""
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert again.lines() == error.lines()
    assert again.exit_code == error.exit_code
    assert str(again) == str(error)
