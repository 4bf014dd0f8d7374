"""Staffing to year end, post by post at each post's current status and cost."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from carecast.domain.finance import Post
from carecast.domain.periods import days_between

PAID_STATUSES = frozenset({"permanent", "agency", "secondee"})


def post_cost(post: Post, first: date, last: date, days_in_year: int) -> Decimal:
    """A filled post's cost from `first` to `last`, limited by its contract dates.

    A vacant post costs nothing until it is filled ([3] adds expected time to fill).
    """
    if post.status not in PAID_STATUSES:
        return Decimal(0)
    start = first if post.start is None else max(post.start, first)
    end = last if post.end is None else min(post.end, last)
    return post.annual_cost * days_between(start, end) / days_in_year


def staffing_cost(posts: Iterable[Post], first: date, last: date, days_in_year: int) -> Decimal:
    return sum((post_cost(p, first, last, days_in_year) for p in posts), Decimal(0))
