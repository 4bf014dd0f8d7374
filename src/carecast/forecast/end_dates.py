"""Whether a council's end dates are endings or are routinely rolled on, from its own extracts.

Finance systems and establishment lists carry END_DATEs that teams often roll forward while the
placement or the agency assignment lasts (DOMAIN.md). Comparing the extract of about six months
ago with today's says which: of the commitments (or filled posts) whose END_DATE fell between the
two, how many are still running today with a later or no end date. Where most were rolled on, an
END_DATE is no ending and the engines' ending rates decide instead. A filled post still listed
after its END_DATE has passed is the same evidence, from one extract alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeGuard

from carecast.domain.codes import PAID_STATUSES
from carecast.domain.finance import Commitment, Post

MIN_DUE = 3  # fewer end dates fell due than this: too few to tell, end dates are believed
ROLLED_SHARE = 0.5


@dataclass(frozen=True)
class EndDateEvidence:
    due: int  # end dates that fell between the earlier extract and the close
    rolled: int  # of those, still running at the close with a later or no end date
    past_end: int = 0  # still running at the close although their end date has passed

    @property
    def share(self) -> float:
        """Share rolled on (Jeffreys estimate: ½ with no evidence)."""
        return (self.rolled + 0.5) / (self.due + 1)

    @property
    def rolled_on(self) -> bool:
        if self.past_end >= MIN_DUE:
            return True
        return self.due >= MIN_DUE and self.share >= ROLLED_SHARE

    def as_json(self) -> dict[str, object]:
        return {
            "end_dates_due": self.due,
            "rolled_on": self.rolled,
            "running_past_end_date": self.past_end,
            "rolled_share": round(self.share, 3),
        }


def _due(end: date | None, earlier_on: date, close: date) -> TypeGuard[date]:
    return end is not None and earlier_on < end <= close


def commitment_end_dates(
    earlier: Iterable[Commitment], current: Iterable[Commitment], earlier_on: date, close: date
) -> EndDateEvidence:
    """Commitments whose end fell due since `earlier_on`: rolled on when today's extract still
    holds the child's commitment with the same provider, begun by then and running past that end
    (some systems key a continuing placement afresh each April, so the start may differ)."""
    now: dict[tuple[str, str], list[Commitment]] = {}
    for c in current:
        now.setdefault((c.child_id, c.provider), []).append(c)
    due = rolled = 0
    for before in earlier:
        end = before.end
        if not _due(end, earlier_on, close):
            continue
        due += 1
        later = now.get((before.child_id, before.provider), [])
        if any(c.start <= end and (c.end is None or c.end > end) for c in later):
            rolled += 1
    # a commitment in today's extract whose end has passed has simply ended: only the comparison
    # of two extracts tells rolling apart for commitments
    return EndDateEvidence(due, rolled)


def post_end_dates(
    earlier: Iterable[Post], current: Iterable[Post], earlier_on: date, close: date
) -> EndDateEvidence:
    """Filled posts whose contract end fell due since `earlier_on`, and posts past their end."""
    now = {p.post_id: p for p in current}
    due = rolled = 0
    for before in earlier:
        if before.status not in PAID_STATUSES or not _due(before.end, earlier_on, close):
            continue
        due += 1
        after = now.get(before.post_id)
        if (
            after is not None
            and after.status == before.status
            and (after.end is None or (before.end and after.end > before.end))
        ):
            rolled += 1
    past = sum(
        1 for p in now.values() if p.status in PAID_STATUSES and p.end is not None and p.end < close
    )
    return EndDateEvidence(due, rolled, past)
