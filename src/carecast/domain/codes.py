"""Service lines and the default SSDA903 placement → placement-category mapping (DOMAIN.md)."""

from __future__ import annotations

from enum import StrEnum


class ServiceLine(StrEnum):
    STAFFING = "staffing"
    PLACEMENTS_IN_HOUSE = "placements_in_house"
    PLACEMENTS_KINSHIP = "placements_kinship"
    PLACEMENTS_IFA = "placements_ifa"
    PLACEMENTS_RESIDENTIAL = "placements_residential"
    PLACEMENTS_SUPPORTED = "placements_supported"
    PLACEMENTS_SECURE = "placements_secure"
    PLACEMENTS_PARENT_CHILD = "placements_parent_child"
    PLACEMENTS_OTHER = "placements_other"
    SPECIAL_GUARDIANSHIP = "special_guardianship"
    ADOPTION_ALLOWANCES = "adoption_allowances"
    SPECIALIST_SUPPORT = "specialist_support"
    OTHER_SUPPORT = "other_support"
    OTHER_COSTS = "other_costs"
    INCOME = "income"

    @property
    def is_placement(self) -> bool:
        return self.value.startswith("placements_")

    @property
    def heading(self) -> str:
        return _TITLES[self]


_TITLES = {
    ServiceLine.STAFFING: "Staffing",
    ServiceLine.PLACEMENTS_IN_HOUSE: "In-house fostering",
    ServiceLine.PLACEMENTS_KINSHIP: "Kinship fostering",
    ServiceLine.PLACEMENTS_IFA: "Independent fostering agencies",
    ServiceLine.PLACEMENTS_RESIDENTIAL: "Residential care",
    ServiceLine.PLACEMENTS_SUPPORTED: "Supported accommodation",
    ServiceLine.PLACEMENTS_SECURE: "Secure children's homes",
    ServiceLine.PLACEMENTS_PARENT_CHILD: "Parent and child",
    ServiceLine.PLACEMENTS_OTHER: "Other placements",
    ServiceLine.SPECIAL_GUARDIANSHIP: "Special guardianship",
    ServiceLine.ADOPTION_ALLOWANCES: "Adoption allowances",
    ServiceLine.SPECIALIST_SUPPORT: "Specialist support",
    ServiceLine.OTHER_SUPPORT: "Other support",
    ServiceLine.OTHER_COSTS: "Other costs",
    ServiceLine.INCOME: "Income",
}

PLACEMENT_LINES = tuple(line for line in ServiceLine if line.is_placement)

# Providers that are the council itself or another public body: a U4–U6 foster placement with one of
# these is in-house fostering; with a private or voluntary provider it is an agency (IFA) placement.
PUBLIC_PROVIDERS = frozenset({"PR0", "PR1", "PR2", "PR3"})

_BY_PLACE: dict[str, ServiceLine | None] = {
    **dict.fromkeys(("U1", "U2", "U3"), ServiceLine.PLACEMENTS_KINSHIP),
    **dict.fromkeys(("K2", "R1", "S1"), ServiceLine.PLACEMENTS_RESIDENTIAL),
    "K1": ServiceLine.PLACEMENTS_SECURE,
    **dict.fromkeys(("H5", "P2", "K3"), ServiceLine.PLACEMENTS_SUPPORTED),
    "R3": ServiceLine.PLACEMENTS_PARENT_CHILD,
    "P1": None,
    **dict.fromkeys(("A3", "A4", "A5", "A6"), None),
    **dict.fromkeys(
        ("R2", "R5", "P3", "T0", "T1", "T2", "T3", "T4", "Z1", "Z11", "Z12", "Z13", "Z14"),
        ServiceLine.PLACEMENTS_OTHER,
    ),
}
FOSTER_PLACES = frozenset({"U4", "U5", "U6"})
KNOWN_PLACES = frozenset(_BY_PLACE) | FOSTER_PLACES
KNOWN_PROVIDERS = frozenset({"PR0", "PR1", "PR2", "PR3", "PR4", "PR5"})


def placement_category(place: str, provider: str) -> ServiceLine | None:
    """The service line a placement is paid from, or None when it carries no placement cost.

    Raises KeyError for a PLACE code outside every collection year's list.
    """
    if place in FOSTER_PLACES:
        if provider in PUBLIC_PROVIDERS:
            return ServiceLine.PLACEMENTS_IN_HOUSE
        return ServiceLine.PLACEMENTS_IFA
    return _BY_PLACE[place]


ALLOWANCE_LINES = {
    "sgo": ServiceLine.SPECIAL_GUARDIANSHIP,
    "cao": ServiceLine.SPECIAL_GUARDIANSHIP,
    "adoption": ServiceLine.ADOPTION_ALLOWANCES,
    "other": ServiceLine.OTHER_SUPPORT,
}

POST_STATUSES = ("permanent", "agency", "vacant", "secondee")
PAID_STATUSES = frozenset({"permanent", "agency", "secondee"})  # a holder is paid; vacant is not
ACTION_KINDS = ("saving", "action", "risk")
ACTION_STATUSES = ("proposed", "in_progress", "delivered", "at_risk", "undelivered", "closed")
