"""How long work reports its progress without knowing who is watching."""

from __future__ import annotations

from collections.abc import Callable

# label, done, total (0 when unknown)
Progress = Callable[[str, int, int], None]


def quiet(_label: str, _done: int, _total: int) -> None:
    return None
