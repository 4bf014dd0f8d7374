"""Code lists the demo council uses: placement categories, SSDA903 codes, cost centres.

These are structure (which codes exist and how they map), not calibration: every number that shapes
the simulated council lives in `profile.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

SERVICE_LINES: tuple[str, ...] = (
    "staffing",
    "placements_in_house",
    "placements_kinship",
    "placements_ifa",
    "placements_residential",
    "placements_supported",
    "placements_secure",
    "placements_parent_child",
    "placements_other",
    "special_guardianship",
    "adoption_allowances",
    "specialist_support",
    "other_support",
    "other_costs",
    "income",
)


@dataclass(frozen=True)
class Category:
    """A placement category of the simulation and the SSDA903 codes that express it."""

    key: str
    service_line: str | None  # None: no placement cost (placed with parents, placed for adoption)
    places: tuple[tuple[str, float], ...]
    providers: tuple[tuple[str, float], ...]
    has_urn: bool


CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        Category(
            "in_house",
            "placements_in_house",
            (("U4", 0.5), ("U6", 0.47), ("U5", 0.03)),
            (("PR1", 1.0),),
            True,
        ),
        Category(
            "ifa",
            "placements_ifa",
            (("U4", 0.5), ("U6", 0.48), ("U5", 0.02)),
            (("PR4", 0.75), ("PR5", 0.25)),
            True,
        ),
        Category(
            "kinship",
            "placements_kinship",
            (("U1", 0.4), ("U3", 0.57), ("U2", 0.03)),
            (("PR1", 1.0),),
            True,
        ),
        Category(
            "residential",
            "placements_residential",
            (("K2", 0.86), ("R1", 0.04), ("S1", 0.1)),
            (("PR4", 0.8), ("PR5", 0.1), ("PR1", 0.05), ("PR2", 0.05)),
            True,
        ),
        Category(
            "supported",
            "placements_supported",
            (("H5", 0.6), ("P2", 0.4)),
            (("PR4", 0.6), ("PR5", 0.3), ("PR1", 0.1)),
            False,
        ),
        Category(
            "secure",
            "placements_secure",
            (("K1", 1.0),),
            (("PR2", 0.6), ("PR3", 0.3), ("PR1", 0.1)),
            True,
        ),
        Category(
            "parent_child",
            "placements_parent_child",
            (("R3", 1.0),),
            (("PR4", 0.6), ("PR5", 0.25), ("PR1", 0.15)),
            True,
        ),
        Category(
            "other",
            "placements_other",
            (("Z1", 0.4), ("R2", 0.3), ("T4", 0.2), ("R5", 0.1)),
            (("PR3", 0.5), ("PR4", 0.5)),
            False,
        ),
        Category("parents", None, (("P1", 1.0),), (("PR0", 1.0),), False),
        Category(
            "adoption",
            None,
            (("A3", 0.1), ("A4", 0.1), ("A5", 0.3), ("A6", 0.5)),
            (("PR1", 0.6), ("PR2", 0.1), ("PR5", 0.25), ("PR4", 0.05)),
            False,
        ),
    )
}

# Categories the simulation chooses when a child starts or moves placement; `parents` and
# `adoption` are the last placement of a planned route home or to adoption.
CHOSEN_CATEGORIES: tuple[str, ...] = (
    "in_house",
    "ifa",
    "kinship",
    "residential",
    "supported",
    "secure",
    "parent_child",
    "other",
)
FOSTER_CATEGORIES = frozenset({"in_house", "ifa", "kinship"})

# (PLACE, PLACE_PROVIDER) pairs the generator may write; the tests check every episode against it.
VALID_PLACE_PROVIDERS: frozenset[tuple[str, str]] = frozenset(
    (place, provider)
    for category in CATEGORIES.values()
    for place, _ in category.places
    for provider, _ in category.providers
)

# Cost centres: (code, service line, S251 line). Placement lines, allowances and income each have
# their own cost centres; staffing has one per team (see StaffingProfile.teams).
COST_CENTRES: tuple[tuple[str, str, str], ...] = (
    ("CS1101", "staffing", "3.3.1"),
    ("CS1102", "staffing", "3.3.1"),
    ("CS1103", "staffing", "3.3.1"),
    ("CS1104", "staffing", "3.3.1"),
    ("CS1105", "staffing", "3.1.2"),
    ("CS1106", "staffing", "3.3.2"),
    ("CS1107", "staffing", "3.3.2"),
    ("CS1201", "placements_in_house", "3.1.2"),
    ("CS1202", "placements_kinship", "3.1.7"),
    ("CS1203", "placements_ifa", "3.1.2"),
    ("CS1204", "placements_residential", "3.1.1"),
    ("CS1205", "placements_residential", "3.1.1"),
    ("CS1206", "placements_supported", "3.1.5"),
    ("CS1207", "placements_secure", "3.1.1"),
    ("CS1208", "placements_parent_child", "3.1.5"),
    ("CS1209", "placements_other", "3.1.5"),
    ("CS1301", "special_guardianship", "3.1.4"),
    ("CS1302", "special_guardianship", "3.1.4"),
    ("CS1303", "adoption_allowances", "3.1.3"),
    ("CS1401", "specialist_support", "3.1.5"),
    ("CS1501", "other_support", "3.4.1"),
    ("CS1502", "other_support", "3.4.1"),
    ("CS1601", "other_costs", "3.3.2"),
    ("CS1602", "other_costs", "3.1.5"),
    ("CS1701", "income", "3.1.10"),
    ("CS1702", "income", "3.1.1"),
)

# Where a placement category's payments post. Residential placements in residential schools (S1)
# post to the schools cost centre.
PLACEMENT_COST_CENTRE: dict[str, str] = {
    "in_house": "CS1201",
    "kinship": "CS1202",
    "ifa": "CS1203",
    "residential": "CS1204",
    "supported": "CS1206",
    "secure": "CS1207",
    "parent_child": "CS1208",
    "other": "CS1209",
}
RESIDENTIAL_SCHOOL_COST_CENTRE = "CS1205"
ALLOWANCE_COST_CENTRE: dict[str, str] = {"sgo": "CS1301", "cao": "CS1302", "adoption": "CS1303"}
UASC_GRANT_COST_CENTRE = "CS1701"
CONTRIBUTIONS_INCOME_COST_CENTRE = "CS1702"

# Ledger accounts (ACCOUNT column) and their descriptions.
ACCOUNTS: dict[str, tuple[str, str]] = {
    "salaries": ("1001", "Employees - salaries and on-costs"),
    "agency": ("1201", "Agency staff"),
    "placements": ("4101", "Placement payments"),
    "placements_arrears": ("4101", "Placement payments - arrears"),
    "contributions": ("9102", "Health and education contributions"),
    "allowances": ("4301", "Allowance payments"),
    "inter_agency": ("4302", "Inter-agency adoption fees"),
    "supplies": ("5001", "Supplies and services"),
    "uasc_grant": ("9101", "UASC grant (Home Office)"),
}

# fmt: off
ETHNIC_CODES: tuple[tuple[str, float], ...] = (
    ("WBRI", 0.30), ("WIRI", 0.01), ("WOTH", 0.06), ("WROM", 0.005), ("MWBC", 0.10),
    ("MWBA", 0.03), ("MWAS", 0.02), ("MOTH", 0.06), ("AIND", 0.01), ("APKN", 0.01),
    ("ABAN", 0.01), ("AOTH", 0.02), ("BCRB", 0.12), ("BAFR", 0.12), ("BOTH", 0.06),
    ("CHNE", 0.005), ("OOTH", 0.04), ("REFU", 0.005), ("NOBT", 0.005),
)
UASC_ETHNIC_CODES: tuple[tuple[str, float], ...] = (
    ("OOTH", 0.35), ("AOTH", 0.25), ("BAFR", 0.3), ("BOTH", 0.1),
)
# Category of need: N1 abuse or neglect … N8 absent parenting (unaccompanied children).
CIN_CODES: tuple[tuple[str, float], ...] = (
    ("N1", 0.62), ("N2", 0.03), ("N3", 0.03), ("N4", 0.09), ("N5", 0.17),
    ("N6", 0.03), ("N7", 0.005), ("N8", 0.025),
)
REASON_PLACE_CHANGE: tuple[tuple[str, float], ...] = (
    ("CARPL", 0.35), ("CREQB", 0.12), ("CREQO", 0.1), ("CHILD", 0.08), ("LAREQ", 0.1),
    ("CLOSE", 0.05), ("STAND", 0.03), ("ALLEG", 0.02), ("APPRR", 0.02), ("PLACE", 0.05),
    ("OTHER", 0.08),
)
# fmt: on
# Reason episode ceased for each exit route: (REC, weight).
ROUTE_REC: dict[str, tuple[tuple[str, float], ...]] = {
    "adoption": (("E11", 0.9), ("E12", 0.1)),
    "sgo": (("E43", 0.55), ("E44", 0.45)),
    # From 2018-19 DfE splits special guardianship by who the guardians are (E43/E44 withdrawn).
    "sgo_from_2018": (("E45", 0.55), ("E46", 0.45)),
    "cao": (("E41", 1.0),),
    "home": (("E4A", 0.7), ("E4B", 0.1), ("E13", 0.2)),
    "independent": (("E5", 0.7), ("E6", 0.3)),
    "other": (("E3", 0.3), ("E8", 0.35), ("E9", 0.15), ("E16", 0.1), ("E15", 0.1)),
}
# Reason episode ceased on the 18th birthday, by the last placement's category.
AGE_OUT_REC: dict[str, tuple[tuple[str, float], ...]] = {
    "foster": (("E17", 0.3), ("E8", 0.7)),
    "supported": (("E5", 0.5), ("E6", 0.2), ("E8", 0.3)),
    "default": (("E8", 0.85), ("E7", 0.05), ("E5", 0.1)),
}
