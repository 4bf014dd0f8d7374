"""Default tables of the demo profile, shaped like the 2018 case study (DOMAIN.md).

Each function returns a fresh value so that DemoProfile instances never share mutable defaults.
"""

from __future__ import annotations

from carecast.demo.specs import ActionSpec, CategoryCost, OtherLineSpec, RoleSpec, TeamSpec


def default_roles() -> tuple[RoleSpec, ...]:
    return (
        RoleSpec("Service Manager", 71_000, 0.10),
        RoleSpec("Team Manager", 57_500, 0.12),
        RoleSpec("Senior Practitioner", 47_500, 0.14, caseload=12),
        RoleSpec("Social Worker", 41_000, 0.16, caseload=15),
        RoleSpec("Personal Adviser", 33_500, 0.10, caseload=25),
        RoleSpec("Independent Reviewing Officer", 48_000, 0.12, caseload=60),
        RoleSpec("Family Support Worker", 29_500, 0.08),
        RoleSpec("Business Support Officer", 24_500, 0.05, can_be_agency=False),
    )


def default_teams() -> tuple[TeamSpec, ...]:
    sw = (
        ("Team Manager", 0.1),
        ("Senior Practitioner", 0.15),
        ("Social Worker", 0.6),
        ("Family Support Worker", 0.15),
    )
    return (
        TeamSpec("Referral and Assessment (MASH)", "CS1101", 0.20, sw),
        TeamSpec("Family Social Work", "CS1102", 0.25, sw),
        TeamSpec("Children with Complex Needs", "CS1103", 0.08, sw),
        TeamSpec(
            "Looked After Children and Leaving Care",
            "CS1104",
            0.20,
            (
                ("Team Manager", 0.08),
                ("Senior Practitioner", 0.12),
                ("Social Worker", 0.45),
                ("Personal Adviser", 0.35),
            ),
        ),
        TeamSpec(
            "Fostering and Adoption",
            "CS1105",
            0.09,
            (("Team Manager", 0.12), ("Senior Practitioner", 0.2), ("Social Worker", 0.68)),
        ),
        TeamSpec(
            "Quality Assurance and Reviewing",
            "CS1106",
            0.06,
            (("Service Manager", 0.15), ("Independent Reviewing Officer", 0.85)),
        ),
        TeamSpec(
            "Management and Business Support",
            "CS1107",
            0.12,
            (("Service Manager", 0.2), ("Business Support Officer", 0.8)),
        ),
    )


def default_other_lines() -> dict[str, OtherLineSpec]:
    return {
        "specialist_support": OtherLineSpec((("CS1401", 1.0),), 1_450_000, 0.03, 0.12),
        "other_support": OtherLineSpec(
            (("CS1501", 0.65), ("CS1502", 0.35)),
            3_600_000,
            0.08,
            0.08,
            (1.0, 1.0, 1.05, 1.05, 0.85, 1.0, 1.0, 1.0, 1.1, 1.0, 0.95, 1.0),
        ),
        "other_costs": OtherLineSpec(
            (("CS1601", 0.6), ("CS1602", 0.4)),
            3_600_000,
            0.0,
            0.08,
            (0.9, 0.95, 0.95, 1.0, 0.8, 1.0, 1.0, 1.0, 0.95, 1.0, 1.0, 1.45),
        ),
    }


def default_actions() -> tuple[ActionSpec, ...]:
    hos, com, dcs = (
        "Head of Service, Looked After Children",
        "Head of Commissioning",
        "Director of CSC",
    )
    return (
        ActionSpec(
            "SAV-01",
            "saving",
            "Reduce residential placements through the Best Care panel",
            "placements_residential",
            com,
            400_000,
            "medium",
            "at_risk",
            12,
        ),
        ActionSpec(
            "SAV-02",
            "saving",
            "Recommission the semi-independent accommodation framework",
            "placements_supported",
            com,
            250_000,
            "high",
            "delivered",
            3,
        ),
        ActionSpec(
            "SAV-03",
            "saving",
            "Reduce agency staffing through establishment control",
            "staffing",
            dcs,
            300_000,
            "low",
            "undelivered",
            12,
        ),
        ActionSpec(
            "SAV-04",
            "saving",
            "Review Section 17 support jointly with Housing",
            "other_support",
            hos,
            150_000,
            "medium",
            "in_progress",
            9,
        ),
        ActionSpec(
            "ACT-01",
            "action",
            "Convert 20 agency social workers to permanent",
            "staffing",
            dcs,
            65_000,
            "medium",
            "proposed",
            12,
            "half-year effect of the premium saved",
        ),
        ActionSpec(
            "ACT-02",
            "action",
            "Step down 5 residential placements to foster care",
            "placements_residential",
            com,
            370_000,
            "medium",
            "proposed",
            12,
        ),
        ActionSpec(
            "ACT-03",
            "action",
            "Recruit 15 additional in-house foster carers",
            "placements_ifa",
            hos,
            150_000,
            "low",
            "in_progress",
            12,
            "IFA placements avoided from January",
        ),
        ActionSpec(
            "RSK-01",
            "risk",
            "Court-directed secure placements",
            "placements_secure",
            hos,
            300_000,
            "25%",
            "proposed",
        ),
        ActionSpec(
            "RSK-02",
            "risk",
            "Special guardianship allowances: joiners exceed leavers",
            "special_guardianship",
            hos,
            200_000,
            "high",
            "proposed",
        ),
    )


def default_categories() -> dict[str, CategoryCost]:
    return {
        "in_house": CategoryCost(426.0, 0.22, 0.30),
        "ifa": CategoryCost(911.0, 0.13, 0.30),
        "kinship": CategoryCost(300.0, 0.3, 0.20),
        "residential": CategoryCost(3_741.0, 0.30, 0.65, 0.10, (20.0, 50.0)),
        "supported": CategoryCost(1_750.0, 0.35, 0.45),
        "secure": CategoryCost(6_000.0, 0.15, 4.0, 0.0),
        "parent_child": CategoryCost(2_500.0, 0.25, 3.5),
        "other": CategoryCost(500.0, 0.4, 4.0),
    }


def default_mix() -> dict[str, float]:
    return {
        "in_house": 0.352,
        "ifa": 0.415,
        "kinship": 0.03,
        "residential": 0.075,
        "supported": 0.095,
        "secure": 0.007,
        "parent_child": 0.008,
        "other": 0.004,
    }


def default_propensity() -> dict[str, tuple[float, ...]]:
    # Base weight of each category for a child in each age band (0, 1-4, 5-9, 10-15, 16-17).
    return {
        "in_house": (1.0, 1.0, 1.0, 0.8, 0.4),
        "ifa": (0.8, 1.0, 1.1, 1.1, 0.6),
        "kinship": (0.15, 0.15, 0.12, 0.08, 0.04),
        "residential": (0.0, 0.002, 0.03, 0.45, 0.45),
        "supported": (0.0, 0.0, 0.0, 0.0, 2.5),
        "secure": (0.0, 0.0, 0.0, 0.03, 0.04),
        "parent_child": (0.15, 0.0, 0.0, 0.0, 0.05),
        "other": (0.02, 0.02, 0.02, 0.03, 0.04),
    }


def default_routes() -> dict[str, dict[str, float]]:
    return {
        "0": {
            "adoption": 0.28,
            "sgo": 0.22,
            "cao": 0.04,
            "home": 0.31,
            "age_out": 0.12,
            "other": 0.03,
        },
        "1-4": {
            "adoption": 0.2,
            "sgo": 0.25,
            "cao": 0.05,
            "home": 0.35,
            "age_out": 0.12,
            "other": 0.03,
        },
        "5-9": {
            "adoption": 0.03,
            "sgo": 0.18,
            "cao": 0.05,
            "home": 0.42,
            "age_out": 0.29,
            "other": 0.03,
        },
        "10-15": {
            "sgo": 0.08,
            "cao": 0.02,
            "home": 0.43,
            "age_out": 0.39,
            "other": 0.05,
            "independent": 0.03,
        },
        "16-17": {"home": 0.25, "age_out": 0.60, "independent": 0.08, "other": 0.07},
    }
