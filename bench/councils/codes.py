"""SSDA903 codes and the tables the care simulation draws them from."""

from __future__ import annotations

import random

# Placement kinds: the cost lines of DOMAIN.md plus the kinds that cost nothing.
INHOUSE, KINSHIP, IFA = "placements_in_house", "placements_kinship", "placements_ifa"
RESI, SUPPORTED, SECURE = "placements_residential", "placements_supported", "placements_secure"
PARENT_CHILD, OTHER = "placements_parent_child", "placements_other"
HOME, ADOPTION, CUSTODY = "home", "adoption", "custody"  # P1, A5, R5: no placement cost
FOSTERING = (INHOUSE, KINSHIP, IFA)
FOSTER = "foster"  # in a table: fostering of the council's usual mix

Table = tuple[tuple[str, float], ...]

# (median days, log spread) of a placement's length.
DURATION: dict[str, tuple[float, float]] = {
    INHOUSE: (250, 1.0),
    KINSHIP: (360, 1.0),
    IFA: (300, 1.0),
    RESI: (220, 0.9),
    SUPPORTED: (200, 0.9),
    SECURE: (80, 0.6),
    PARENT_CHILD: (84, 0.35),  # a twelve-week assessment
    OTHER: (50, 0.8),
    HOME: (300, 0.8),
    ADOPTION: (200, 0.35),
    CUSTODY: (70, 0.6),
}
SEASON = (0.95, 0.95, 1.05, 1.0, 1.0, 0.95, 1.0, 0.88, 1.05, 1.1, 1.12, 0.95)  # entries, Jan..Dec
ETHNIC: Table = (
    ("WBRI", 0.66), ("WOTH", 0.04), ("WIRT", 0.005), ("MWBC", 0.04), ("MWBA", 0.015), ("MWAS", 0.015),
    ("MOTH", 0.03), ("AIND", 0.015), ("APKN", 0.02), ("ABAN", 0.01), ("AOTH", 0.015), ("BCRB", 0.02),
    ("BAFR", 0.04), ("BOTH", 0.015), ("CHNE", 0.003), ("OOTH", 0.03), ("NOBT", 0.017),
)  # fmt: skip
UASC_ETHNIC = ("AOTH", "BAFR", "OOTH", "MOTH", "BOTH")
CIN: Table = (
    ("N1", 0.6), ("N2", 0.03), ("N3", 0.04), ("N4", 0.08), ("N5", 0.17), ("N6", 0.02), ("N8", 0.06),
)  # fmt: skip
ENTRY_AGE: Table = (("0", 0.2), ("1", 0.14), ("5", 0.17), ("10", 0.31), ("16", 0.18))
ENTRY_AGE_RANGE = {
    "0": (0.0, 1.0),
    "1": (1.0, 5.0),
    "5": (5.0, 10.0),
    "10": (10.0, 16.0),
    "16": (16.0, 17.8),
}

# Why a period of care ends, by the kind of placement it ends from.
LEAVING: dict[str, Table] = {
    "short": (("E4A", 0.7), ("E13", 0.2), ("E8", 0.1)),
    "kinship": (("E43", 0.45), ("E41", 0.1), ("E4A", 0.3), ("E13", 0.1), ("E8", 0.05)),
    "young_fostered": (
        ("E4A", 0.5),
        ("E44", 0.15),
        ("E43", 0.1),
        ("E41", 0.05),
        ("E13", 0.1),
        ("E8", 0.1),
    ),
    "fostered": (
        ("E4A", 0.5),
        ("E13", 0.15),
        ("E8", 0.2),
        ("E43", 0.05),
        ("E44", 0.05),
        ("E41", 0.05),
    ),
    "older": (("E4A", 0.4), ("E13", 0.15), ("E8", 0.2), ("E5", 0.15), ("E6", 0.1)),
    "other": (("E4A", 0.55), ("E13", 0.2), ("E8", 0.25)),
    "18_fostered": (("E17", 0.55), ("E8", 0.3), ("E5", 0.15)),  # staying put
    "18_supported": (("E5", 0.5), ("E6", 0.2), ("E8", 0.3)),
    "18_other": (("E8", 0.6), ("E5", 0.3), ("E7", 0.1)),
}


def pick(r: random.Random, table: Table) -> str:
    x = r.random() * sum(p for _, p in table)
    for code, p in table:
        x -= p
        if x <= 0:
            return code
    return table[-1][0]


def with_rest(*entries: tuple[str, float]) -> Table:
    """A table whose remaining probability goes to fostering."""
    return (*entries, (FOSTER, max(0.0, 1.0 - sum(p for _, p in entries))))


def first_placement(age: float, uasc: bool, ls: str, residential: float) -> Table:
    on_order = ls == "C1"
    if uasc:
        return with_rest((SUPPORTED, 0.7 if age >= 16 else 0.0), (RESI, 0.08))
    if age < 1:
        return with_rest((PARENT_CHILD, 0.08), (HOME, 0.02 if on_order else 0.0))
    if age < 11:
        return with_rest((RESI, 0.03), (HOME, 0.03 if on_order else 0.0))
    if age < 16:
        return with_rest((RESI, residential), (SECURE, 0.012), (OTHER, 0.018))
    return with_rest((SUPPORTED, 0.55), (RESI, residential * 0.7), (CUSTODY, 0.02))


def next_placement(kind: str, age: float, step_up: float) -> Table:
    """Where a child moves on to; step-ups from fostering to residential are a teenage pattern."""
    older, teen = age >= 16, age >= 11
    if kind in FOSTERING:
        if older:
            return with_rest((SUPPORTED, 0.45), (RESI, step_up * 0.6))
        return with_rest((RESI, step_up if teen else 0.02), (SECURE, 0.01 if teen else 0.0))
    tables: dict[str, Table] = {
        RESI: with_rest((SUPPORTED, 0.55), (RESI, 0.32))
        if older
        else with_rest((RESI, 0.55), (SECURE, 0.05), (OTHER, 0.04)),
        SUPPORTED: with_rest((SUPPORTED, 0.65), (RESI, 0.15), (OTHER, 0.08)),
        SECURE: with_rest((RESI, 0.75), (SUPPORTED, 0.15)) if older else ((RESI, 1.0),),
        OTHER: with_rest((RESI, 0.4), (SUPPORTED, 0.2 if older else 0.0)),
        CUSTODY: with_rest((RESI, 0.4), (SUPPORTED, 0.2 if older else 0.0)),
    }
    return tables.get(kind, ((FOSTER, 1.0),))


def leaving_table(kind: str, age: float, short: bool) -> Table:
    if short:
        return LEAVING["short"]
    if kind == KINSHIP:
        return LEAVING["kinship"]
    if kind in FOSTERING:
        return LEAVING["young_fostered" if age < 11 else "fostered"]
    return LEAVING["older" if age >= 16 else "other"]


def eighteen_table(kind: str) -> Table:
    if kind in FOSTERING:
        return LEAVING["18_fostered"]
    return LEAVING["18_supported" if kind == SUPPORTED else "18_other"]


def place_code(r: random.Random, kind: str, age: float) -> str:
    x = r.random()
    if kind in (INHOUSE, IFA):
        return "U4" if x < 0.3 and age < 14 else "U6"  # long-term fostering, else other fostering
    return {
        KINSHIP: "U1" if x < 0.3 else "U3",
        RESI: "K2" if x < 0.8 else ("S1" if x < 0.92 else "R1"),
        SUPPORTED: "H5" if x < 0.8 else "P2",
        SECURE: "K1",
        PARENT_CHILD: "R3",
        OTHER: "Z1",
        HOME: "P1",
        ADOPTION: "A5",
        CUSTODY: "R5",
    }[kind]


PROVIDERS: dict[str, Table] = {
    INHOUSE: (("PR1", 0.92), ("PR2", 0.08)),  # another council's carers count as in-house
    KINSHIP: (("PR1", 1.0),),
    IFA: (("PR4", 0.75), ("PR5", 0.25)),
    RESI: (("PR4", 0.7), ("PR5", 0.15), ("PR1", 0.15)),
    SUPPORTED: (("PR4", 0.7), ("PR5", 0.15), ("PR1", 0.15)),
    SECURE: (("PR2", 0.85), ("PR1", 0.15)),  # secure children's homes are run by councils
    PARENT_CHILD: (("PR4", 0.6), ("PR5", 0.4)),
    OTHER: (("", 1.0),),  # Z1 takes no provider
    HOME: (("PR0", 1.0),),
    CUSTODY: (("PR3", 1.0),),
    ADOPTION: (("PR1", 0.65), ("PR2", 0.15), ("PR5", 0.2)),
}


def upn(r: random.Random, la_code: str, age: float) -> str:
    """A unique pupil number with its check letter, or UN2 for a child not yet of school age."""
    if age < 5:
        return "UN2"
    body = f"{la_code}{r.randint(1000, 7999)}{r.randint(5, 17):02d}{r.randint(0, 999):03d}"
    total = sum(int(ch) * w for ch, w in zip(body, range(2, 14), strict=True))
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23] + body
