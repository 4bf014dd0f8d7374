"""A council's whole benchmark: its neighbours, the five sections and the neighbours'-rate sums."""

from __future__ import annotations

import re

from carecast.benchmarking.estimate import own_estimate, published_estimate
from carecast.benchmarking.figures import (
    BenchmarkResult,
    Neighbour,
    NeighbourGroup,
    Source,
)
from carecast.benchmarking.own_figures import OwnInputs, own_figures
from carecast.benchmarking.resources import spend_section, workforce_section
from carecast.benchmarking.sections import Context, cla_rate_section, flows_section, mix_section
from carecast.domain.periods import FinancialYear
from carecast.errors import NotFound
from carecast.reference.catalogue import BY_KEY
from carecast.reference.dataset import ReferenceData

ONS_CODE = re.compile(r"E\d{8}", re.IGNORECASE)
NEIGHBOUR_MODELS = {"neighbours_2025": "2025 model", "neighbours_2021": "April 2021 groupings"}


def resolve_code(data: ReferenceData, text: str) -> str:
    """A DfE three-digit code from either that code (`209`) or an ONS code (`E09000023`)."""
    code = text.strip()
    if ONS_CODE.fullmatch(code):
        found = data.new_codes.get(code.upper())
        if found is None:
            raise NotFound(
                f"no council with ONS code {code} is in the reference data; "
                "'carecast reference list' shows the files in use"
            )
        return found
    if code not in set(data.council_codes()):
        raise NotFound(
            f"no council with code {code} is in the reference data (DfE's three-digit codes, "
            "e.g. 209, or ONS codes, e.g. E09000023)"
        )
    return code


def neighbour_group(data: ReferenceData, la_code: str) -> NeighbourGroup:
    rows = data.neighbours.filter(data.neighbours["la_code"] == la_code).sort("rank")
    if rows.is_empty():
        return NeighbourGroup((), Source("", "", "", "no statistical neighbours published", ""))
    kind = rows["kind"][0]
    members = tuple(
        Neighbour(code, data.names.get(code, code), closeness)
        for code, closeness in rows.select("neighbour", "closeness").iter_rows()
    )
    entry = BY_KEY[kind]
    cited = Source(
        entry.publisher,
        entry.title,
        rows["file"][0],
        "SN_1 … SN_10 (nearest first) with their closeness",
        NEIGHBOUR_MODELS.get(kind, kind),
    )
    return NeighbourGroup(members, cited)


def benchmark(
    data: ReferenceData,
    la_code: str,
    own: OwnInputs | None = None,
    year: FinancialYear | None = None,
) -> BenchmarkResult:
    """The benchmark of council `la_code` (a DfE code, see `resolve_code`), with the store's own
    figures beside the published ones when `own` is given. Each section also shows the published
    year that belongs to financial year `year` (default: the year of the own figures' day) where
    the data has it; own figures sit only in rows of the year they describe (years.py)."""
    group = neighbour_group(data, la_code)
    figures = own_figures(data, la_code, own) if own is not None else None
    if year is None and own is not None:
        year = FinancialYear.containing(own.council.known_on)
    ctx = Context(data, la_code, tuple(n.la_code for n in group.members), figures, year)
    sections = (
        cla_rate_section(ctx),
        flows_section(ctx),
        mix_section(ctx),
        workforce_section(ctx),
        spend_section(ctx),
    )
    estimates = tuple(e for e in (published_estimate(ctx), own_estimate(ctx)) if e is not None)
    notes: list[str] = []
    if not group.members:
        notes.append("DfE publishes no statistical neighbours for this council.")
    if own is not None and figures is not None and figures.population_now is None:
        notes.append("No ONS population estimate for this code: own rates cannot be computed.")
    return BenchmarkResult(
        la_code,
        data.ons_codes.get(la_code),
        data.names.get(la_code, la_code),
        group,
        sections,
        estimates,
        own.council if own is not None else None,
        tuple(notes),
    )
