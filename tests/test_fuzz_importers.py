"""Every importer fuzzed: no input crashes carecast or silently changes what it stores.

Each importer — a CSV file of each dataset formats.md defines, a workbook, DfE's SSDA903 XML, a
council's export read through a column-mapping file — is given mutated copies of a small valid
file (tests/fuzz_inputs.py, tests/fuzz_documents.py) and each import must keep the contract of
tests/fuzz_contract.py: a refusal whose every problem names the file (a cell's, its row and
column) with the store's digest unchanged, or an import whose stored rows equal the file read
without carecast (fuzz_oracle.py). Never a traceback, never a case over its time limit.

The cases are the same on every run (hypothesis derandomized, the mutator seeded by the drawn
number); `python bench/fuzz.py` runs thousands per importer. The faults the fuzzer found are
pinned where they were fixed (test_ingest_hardening_csv, _xml, _xlsx).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_contract import ScratchStore, Verdict, check_case
from tests.fuzz_inputs import IMPORTERS, Case, make_case, seed_case

# Cases per importer on every run: about 40 s in all on one core.
CASES = {"xlsx": 45, "xml": 45, "mapping": 40}
CSV_CASES = 24
SECONDS = 20  # per case; a small input takes well under a second


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScratchStore]:
    scratch = ScratchStore(tmp_path_factory.mktemp("fuzz"))
    yield scratch
    scratch.close()


@pytest.mark.parametrize("importer", IMPORTERS)
def test_each_seed_is_imported_as_the_file_says(importer: str, store: ScratchStore) -> None:
    """The fuzzer's starting points are valid: the oracle has stored values to compare."""
    verdict = check_case(store, seed_case(importer), SECONDS)
    assert verdict.outcome == "accepted", verdict.detail


@pytest.mark.filterwarnings("ignore:Duplicate name")  # zipfile, writing a damaged workbook
@pytest.mark.parametrize("importer", IMPORTERS)
def test_mutated_inputs_are_refused_located_or_stored_as_the_file_says(
    importer: str, store: ScratchStore
) -> None:
    seen: Counter[str] = Counter()

    @settings(
        max_examples=CASES.get(importer, CSV_CASES),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(seed=st.integers(0, 2**32 - 1))
    def import_one(seed: int) -> None:
        case = make_case(importer, seed)
        verdict = check_case(store, case, SECONDS)
        seen[verdict.outcome] += 1
        assert verdict.ok, _explain(case, seed, verdict)

    import_one()
    # Both halves of the contract were exercised.
    assert seen["accepted"], dict(seen)
    assert seen["refused"], dict(seen)


def _explain(case: Case, seed: int, verdict: Verdict) -> str:
    return (
        f"{case.importer} input {seed} {list(case.applied)}: {verdict.outcome}\n"
        f"{verdict.detail}\nreproduce: python bench/fuzz.py --only {case.importer} "
        f"--seed {seed} --per-importer 1"
    )


@pytest.mark.parametrize(
    ("importer", "seed", "cell"),
    [
        ("csv:establishment", "P1,Safeguarding,SW,1,", "P1,Safeguarding,SW,0.12345,"),
        ("csv:placement_costs", ",25,RES1", ",33.33333,RES1"),
    ],
)
def test_a_number_with_more_decimals_than_the_store_keeps_is_not_rounded_silently(
    store: ScratchStore, importer: str, seed: str, cell: str
) -> None:
    """Found by the fuzzer: an FTE of 0.12345 was stored as 0.123 (a contribution of 33.33333% as
    33.333%) with exit 0; the store keeps 0.001, so a finer figure is refused at its cell."""
    name = importer.removeprefix("csv:")
    data = seed_case(importer).data.replace(seed.encode(), cell.encode())
    assert cell.encode() in data
    verdict = check_case(store, Case(importer, f"{name}.csv", data, None, ()), SECONDS)
    assert verdict.ok, verdict.detail
