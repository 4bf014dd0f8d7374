"""A run over many councils leaves what was loaded before it out of the collector's passes."""

from __future__ import annotations

import gc

import pytest

from carecast.services.collector import loaded_objects_left_out


def test_what_was_alive_on_entry_is_left_out_and_handed_back_after() -> None:
    before = gc.get_freeze_count()
    kept = [object() for _ in range(10)]
    with loaded_objects_left_out():
        # everything alive on entry, the ten objects among it, is out of the passes
        assert gc.get_freeze_count() >= before + len(kept)
    assert gc.get_freeze_count() == before


def test_it_is_handed_back_when_the_run_fails() -> None:
    before = gc.get_freeze_count()
    with pytest.raises(RuntimeError), loaded_objects_left_out():
        raise RuntimeError("a council could not be read")
    assert gc.get_freeze_count() == before
