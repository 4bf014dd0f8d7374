"""Results a long-running process keeps, by a key naming everything they were computed from.

A page that recomputes the same answer from data that has not changed (a stored snapshot's
placements, as known on its knowledge date) asks here first. The key must change whenever the
inputs may have: an entry is never invalidated, only pushed out when the memo is full.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class Memo:
    """A bounded, thread-safe map from keys to results; the least recently used goes first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def recall(self, key: Hashable) -> object | None:
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def keep(self, key: Hashable, value: object) -> None:
        with self._lock:
            self._kept[key] = value
            self._kept.move_to_end(key)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)
