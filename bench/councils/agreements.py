"""Service agreements as a finance system holds them, and what they say on any given day.

An agreement (a placement, or an allowance case) is split at each 1 April into priced segments. Its
*view* on day v is what the system shows on v: nothing before it is keyed, then a start date (true,
or the keying date), and an end date that may be open, a planned date rolled forward now and then
(sometimes only after it has lapsed), or - once someone records it - the true last day. Ledger
conventions and commitment exports all read the views; the true cost reads the true dates.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field

import numpy as np

from .timeline import HORIZON, OPEN, SIM_START, fy_of, fy_start

KEY = 1 << 21  # day ordinals stay below this, so (segment, day) packs into one int64


@dataclass(frozen=True)
class Terms:
    """How one agreement is keyed and kept up to date."""

    key_lag: int  # days from the true start to keying
    start_as_keyed: bool  # keyed with the keying date as start; the missed weeks paid by hand
    roll_weeks: int  # 0: no planned end; else the planned end moves on by this much at each roll
    roll_lapse: int  # latest a roll comes after the planned end
    planned_end: int  # end shown while running when not rolled (OPEN, or the 18th birthday)
    end_lag: int  # days from the true end to recording it (weeks for a phantom)
    uplift_lag: int  # days after 1 April the new price is keyed


@dataclass
class BookBuilder:
    line: list[str] = field(default_factory=list)
    cc: list[int] = field(default_factory=list)
    weekly: list[float] = field(default_factory=list)
    true_start: list[int] = field(default_factory=list)
    true_last: list[int] = field(default_factory=list)
    contrib: list[float] = field(default_factory=list)
    contributor: list[int] = field(default_factory=list)  # 0 none, 1 health, 2 education
    exported: list[bool] = field(default_factory=list)
    ref: list[int] = field(default_factory=list)
    ev_seg: list[int] = field(default_factory=list)
    ev_t: list[int] = field(default_factory=list)
    ev_start: list[int] = field(default_factory=list)
    ev_end: list[int] = field(default_factory=list)

    def _segment(
        self,
        *,
        line: str,
        cc: int,
        weekly: float,
        first: int,
        last: int,
        ref: int,
        contrib: float = 0.0,
        contributor: int = 0,
        exported: bool = True,
    ) -> int:
        self.line.append(line)
        self.cc.append(cc)
        self.weekly.append(weekly)
        self.true_start.append(first)
        self.true_last.append(last)
        self.contrib.append(contrib)
        self.contributor.append(contributor)
        self.exported.append(exported)
        self.ref.append(ref)
        return len(self.line) - 1

    def _event(self, seg: int, t: int, start: int, end: int) -> None:
        self.ev_seg.append(seg)
        self.ev_t.append(t)
        self.ev_start.append(start)
        self.ev_end.append(end)

    def add(
        self,
        r: random.Random,
        *,
        line: str,
        cc: int,
        ref: int,
        start: int,
        last: int,
        price: float,
        uplifts: dict[int, float],
        terms: Terms,
        contrib: float = 0.0,
        contributor: int = 0,
    ) -> None:
        """Adds one agreement running from ``start`` to ``last`` (inclusive; OPEN if running)."""
        if last < SIM_START:
            return
        keyed = start + terms.key_lag
        shown_start, ends = self._shown_dates(r, start, last, terms)
        if shown_start > start:  # the weeks before keying are paid by hand, outside the system
            seg = self._segment(
                line=line, cc=cc, weekly=price, first=1, last=0, ref=ref, exported=False
            )
            self._event(seg, keyed + r.randint(14, 42), start, keyed - 1)
        times = [t for t, _ in ends]

        def shown_end(t: int) -> int:
            return ends[bisect.bisect_right(times, t) - 1][1]

        bounds = [fy_start(fy) for fy in range(fy_of(start) + 1, fy_of(min(last, HORIZON)) + 1)]
        firsts = [start, *bounds]
        lasts = [b - 1 for b in bounds] + [last]
        weekly = price
        for i, (first, seg_last) in enumerate(zip(firsts, lasts, strict=True)):
            if i > 0:
                weekly = round(weekly * (1 + uplifts.get(fy_of(first), 0.0)), 2)
            if seg_last < SIM_START:
                continue
            # A year's segment appears when that year's price is keyed and is end-dated when the
            # next year's is; until then the previous segment runs on at the old price.
            visible = keyed if i == 0 else max(keyed, first + terms.uplift_lag)
            closed = max(keyed, seg_last + 1 + terms.uplift_lag) if i + 1 < len(firsts) else OPEN
            seg = self._segment(
                line=line, cc=cc, weekly=weekly, first=first, last=seg_last, ref=ref, contrib=contrib,
                contributor=contributor,
            )  # fmt: skip
            seg_start = max(first, shown_start)
            previous: tuple[int, int] | None = None
            for t in sorted({visible, closed, *[x for x in times if x > visible]}):
                if t >= OPEN:
                    break
                end = min(shown_end(t), seg_last) if t >= closed else shown_end(t)
                if (seg_start, end) != previous:
                    self._event(seg, t, seg_start, end)
                    previous = (seg_start, end)
                if t >= closed and end >= seg_last:
                    break  # end-dated at the new price; nothing later changes this segment

    @staticmethod
    def _shown_dates(
        r: random.Random, start: int, last: int, terms: Terms
    ) -> tuple[int, list[tuple[int, int]]]:
        """The start date shown, and each (day, end date shown from that day)."""
        keyed = start + terms.key_lag
        if last < OPEN and keyed > last:
            return start, [(keyed, last)]  # keyed after it ended: the system only saw it whole
        shown_start = keyed if terms.start_as_keyed and terms.key_lag > 0 else start
        cap = terms.planned_end
        ends: list[tuple[int, int]] = []
        if terms.roll_weeks:
            planned = keyed + terms.roll_weeks * 7
            ends.append((keyed, min(planned, cap)))
            while planned < min(cap, last, HORIZON):  # still there at the planned end
                rolled = planned + r.randint(-14, terms.roll_lapse)
                if rolled > last:
                    break  # it ended before anyone rolled the date on
                planned += terms.roll_weeks * 7
                ends.append((max(rolled, ends[-1][0] + 1), min(planned, cap)))
        else:
            ends.append((keyed, cap))
        if last < OPEN:  # the true end, once someone records it (weeks later for a phantom)
            ends.append((max(last + 1 + terms.end_lag, ends[-1][0] + 1), last))
        return shown_start, ends

    def build(self) -> Book:
        order = np.lexsort(
            (np.asarray(self.ev_t, dtype=np.int64), np.asarray(self.ev_seg, dtype=np.int64))
        )
        seg = np.asarray(self.ev_seg, dtype=np.int64)[order]
        t = np.asarray(self.ev_t, dtype=np.int64)[order]
        return Book(
            line=np.asarray(self.line),
            cc=np.asarray(self.cc, dtype=np.int64),
            weekly=np.asarray(self.weekly, dtype=np.float64),
            true_start=np.asarray(self.true_start, dtype=np.int64),
            true_last=np.asarray(self.true_last, dtype=np.int64),
            contrib=np.asarray(self.contrib, dtype=np.float64),
            contributor=np.asarray(self.contributor, dtype=np.int64),
            exported=np.asarray(self.exported, dtype=bool),
            ref=np.asarray(self.ref, dtype=np.int64),
            ev_key=seg * KEY + t,
            ev_start=np.asarray(self.ev_start, dtype=np.int64)[order],
            ev_end=np.asarray(self.ev_end, dtype=np.int64)[order],
        )


@dataclass(frozen=True)
class Book:
    line: np.ndarray
    cc: np.ndarray
    weekly: np.ndarray
    true_start: np.ndarray
    true_last: np.ndarray
    contrib: np.ndarray
    contributor: np.ndarray
    exported: np.ndarray
    ref: np.ndarray
    ev_key: np.ndarray
    ev_start: np.ndarray
    ev_end: np.ndarray

    def view(self, v: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(shown, start, end) of every segment as the system shows it on day ``v``."""
        ids = np.arange(len(self.line), dtype=np.int64)
        pos = np.searchsorted(self.ev_key, ids * KEY + v, side="right") - 1
        safe = np.maximum(pos, 0)
        shown = (pos >= 0) & (self.ev_key[safe] // KEY == ids)
        start, end = self.ev_start[safe], self.ev_end[safe]
        return shown & (start <= end), start, end

    def shown_cost(self, v: int, through: int) -> np.ndarray:
        """Cost from SIM_START to ``through`` of every segment as shown on day ``v``."""
        shown, start, end = self.view(v)
        days = np.minimum(end, through) - np.maximum(start, SIM_START) + 1
        cost: np.ndarray = np.where(shown, np.clip(days, 0, None), 0) * self.weekly / 7
        return cost

    def true_cost(self, first: int, last: int) -> np.ndarray:
        """Cost of the care actually given between two days (inclusive)."""
        days = np.minimum(self.true_last, last) - np.maximum(self.true_start, first) + 1
        cost: np.ndarray = np.clip(days, 0, None) * self.weekly / 7
        return cost
