"""The kinds of published file carecast reads, and how a file is recognised as one of them.

A release is recognised by its columns (or, for the revenue outturn workbooks, by MHCLG's variable
codes), never by its file name: DfE renames files between releases, and councils save downloads
under names of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DFE = "Department for Education"
ONS = "Office for National Statistics"
MHCLG = "Ministry of Housing, Communities and Local Government"
CLA_PUBLICATION = "Children looked after in England including adoptions"
WORKBOOK_SUFFIXES = frozenset({".ods", ".xlsx", ".xls"})
# The variable code of RO3's total net current expenditure on children's social care: present in
# every RO3 workbook since 2023-24, whatever the layout of its header rows.
RO3_MARKER = "RO3-csctot-net-cur-exp"


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of published file: who publishes it, its title, and the columns that identify it."""

    key: str
    publisher: str
    title: str
    needs: tuple[str, ...] = ()  # lower-case column names (or patterns) that must all be present
    without: tuple[str, ...] = ()  # columns whose presence rules the kind out


KINDS = (
    Kind(
        "cla_rates",
        DFE,
        f"{CLA_PUBLICATION}: children looked after, starting and ceasing, rate per 10,000 children",
        ("time_period", "old_la_code", "rate_per_10000", "population_estimate"),
    ),
    Kind(
        "population",
        ONS,
        "Mid-year population estimates: children aged 0 to 17 by local authority",
        ("time_period", "old_la_code", "age_group", "population_estimate"),
        ("rate_per_10000",),
    ),
    Kind(
        "sfr50_cla",
        DFE,
        f"{CLA_PUBLICATION} (SFR 50): children looked after at 31 March, placement type and provider",
        ("geog_c", r"cla_mar\d{4}", "cla_fost"),
    ),
    Kind(
        "sfr50_started",
        DFE,
        f"{CLA_PUBLICATION} (SFR 50): children who started to be looked after",
        ("geog_c", r"cla_started\d{4}"),
    ),
    Kind(
        "sfr50_ceased",
        DFE,
        f"{CLA_PUBLICATION} (SFR 50): children who ceased to be looked after, by reason",
        ("geog_c", r"cla_cease\d{4}"),
    ),
    Kind(
        "new_placements",
        DFE,
        f"{CLA_PUBLICATION}: new placements during the year, by location and reason for change",
        ("time_period", "old_la_code", "characteristic", "breakdown", "children_count"),
    ),
    Kind(
        "ceased_reasons",
        DFE,
        f"{CLA_PUBLICATION}: children who ceased to be looked after during the year",
        ("time_period", "old_la_code", "cla_group", "characteristic", "number"),
    ),
    Kind(
        "national_placements",
        DFE,
        f"{CLA_PUBLICATION}: England, children looked after on 31 March by placement type "
        "and provider",
        ("time_period", "placement_type", "placement_provider", "number"),
    ),
    Kind(
        "workforce",
        DFE,
        "Children's social work workforce: census at 30 September",
        ("time_period", "old_la_code", "agency_rate_fte", "vacancy_rate_fte"),
    ),
    Kind(
        "neighbours_2025",
        DFE,
        "Children's services statistical neighbours (2025 model)",
        ("old_la_code", "sn_1", "sn_1p"),
    ),
    Kind(
        "neighbours_2021",
        DFE,
        "Children's services statistical neighbour groupings (April 2021)",
        ("la num", "sn1", "snp"),
    ),
    Kind(
        "revenue_outturn",
        MHCLG,
        "Revenue outturn (RO3): social care and public health, £ thousand",
    ),
)
BY_KEY = {kind.key: kind for kind in KINDS}


def _has(columns: set[str], wanted: str) -> bool:
    if wanted in columns:
        return True
    pattern = re.compile(wanted)
    return any(pattern.fullmatch(column) for column in columns)


def recognise_columns(columns: list[str]) -> Kind | None:
    """The kind of a CSV file with these column names, or None."""
    names = {c.strip().lower().lstrip("\ufeff") for c in columns}
    for kind in KINDS:
        if not kind.needs:
            continue
        if all(_has(names, w) for w in kind.needs) and not any(
            _has(names, w) for w in kind.without
        ):
            return kind
    return None


def csv_header(path: Path) -> list[str]:
    """The first line of a CSV file, split into column names (BOM and Windows-1252 tolerated)."""
    raw = path.read_bytes()[:65536]
    text = raw.decode("utf-8-sig", errors="replace")
    first = text.splitlines()[0] if text else ""
    return [name.strip().strip('"') for name in first.split(",")]


def recognise(path: Path) -> Kind | None:
    """The kind of a published file, or None when carecast does not read files like it."""
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from carecast.reference.outturn import is_revenue_outturn

        return BY_KEY["revenue_outturn"] if is_revenue_outturn(path) else None
    if path.suffix.lower() != ".csv":
        return None
    return recognise_columns(csv_header(path))
