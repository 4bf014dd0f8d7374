"""The garbage collector during a run over many councils.

A run over a region's or the nation's councils leaves many objects behind each council for the
collector, and each of its full passes also walks everything loaded before the run began (the
modules, the store's engine): a tenth of a council's close went to the collector, half of it
walking those. Left out of its passes for the run, they are handed back to it afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def loaded_objects_left_out() -> Iterator[None]:
    """Within: what was alive on entry is left out of the collector's passes (gc.freeze)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


__all__ = ["loaded_objects_left_out"]
