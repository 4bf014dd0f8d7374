"""The council's chart of accounts: cost centres by service line, and ledger account codes."""

from __future__ import annotations

from dataclasses import dataclass

# (service line, cost centre name, S251 line) in the order a finance team lists them.
COST_CENTRES = (
    ("staffing", "Assessment and Intervention", "3.4.1"),
    ("staffing", "Child Protection and Court", "3.4.1"),
    ("staffing", "Looked After Children", "3.4.1"),
    ("staffing", "Leaving Care", "3.1.7"),
    ("staffing", "Fostering Service", "3.1.2"),
    ("staffing", "Adoption Service", "3.1.6"),
    ("staffing", "Management and Quality Assurance", "3.4.1"),
    ("staffing", "Business Support", "3.4.1"),
    ("placements_in_house", "In-house fostering - allowances", "3.1.2"),
    ("placements_in_house", "In-house fostering - fees", "3.1.2"),
    ("placements_kinship", "Connected persons fostering", "3.1.2"),
    ("placements_ifa", "Independent fostering - under 12", "3.1.2"),
    ("placements_ifa", "Independent fostering - 12 and over", "3.1.2"),
    ("placements_residential", "External residential placements", "3.1.1"),
    ("placements_residential", "Residential schools", "3.1.1"),
    ("placements_residential", "In-house children's homes", "3.1.1"),
    ("placements_supported", "Semi-independent accommodation", "3.1.3"),
    ("placements_supported", "Supported lodgings", "3.1.3"),
    ("placements_secure", "Secure welfare placements", "3.1.1"),
    ("placements_parent_child", "Parent and child placements", "3.1.3"),
    ("placements_other", "Other placements", "3.1.3"),
    ("special_guardianship", "Special guardianship allowances", "3.1.5"),
    ("special_guardianship", "Child arrangement order allowances", "3.1.5"),
    ("adoption_allowances", "Adoption allowances", "3.1.6"),
    ("adoption_allowances", "Inter-agency adoption fees", "3.1.6"),
    ("specialist_support", "Therapeutic services", "3.3.4"),
    ("specialist_support", "Assessments and expert witnesses", "3.3.4"),
    ("other_support", "Section 17 payments", "3.3.1"),
    ("other_support", "No recourse to public funds", "3.3.1"),
    ("other_support", "Homeless 16 and 17 year olds", "3.3.1"),
    ("other_costs", "Transport and contact", "3.4.4"),
    ("other_costs", "Running costs", "3.4.4"),
    ("other_costs", "Legal costs", "3.4.4"),
    ("income", "Health contributions", "3.1.1"),
    ("income", "Education contributions", "3.1.1"),
    ("income", "UASC grant", "3.1.8"),
)

# Expenditure and income accounts by what is being paid for.
ACCOUNTS = {
    "salaries": "1001",
    "oncosts": "1002",
    "agency": "1050",
    "secondment": "1060",
    "placements_in_house": "4001",
    "placements_kinship": "4002",
    "placements_ifa": "4010",
    "placements_residential": "4020",
    "placements_supported": "4030",
    "placements_secure": "4040",
    "placements_parent_child": "4050",
    "placements_other": "4060",
    "special_guardianship": "4101",
    "adoption_allowances": "4110",
    "interagency": "4111",
    "specialist_support": "5010",
    "other_support": "5020",
    "other_costs": "5030",
    "health": "9010",
    "education": "9011",
    "grant": "9020",
    "accrual": "4999",
}

LINE_LABEL = {
    "placements_in_house": "in-house fostering",
    "placements_kinship": "connected persons fostering",
    "placements_ifa": "IFA placements",
    "placements_residential": "residential placements",
    "placements_supported": "supported accommodation",
    "placements_secure": "secure placements",
    "placements_parent_child": "parent and child placements",
    "placements_other": "other placements",
    "special_guardianship": "SGO and CAO allowances",
    "adoption_allowances": "adoption allowances",
}


@dataclass(frozen=True)
class Chart:
    codes: tuple[str, ...]
    lines: tuple[str, ...]
    names: tuple[str, ...]
    s251: tuple[str, ...]
    accounts: dict[str, str]

    def centre(self, line: str, name: str) -> int:
        for i, (ln, nm) in enumerate(zip(self.lines, self.names, strict=True)):
            if ln == line and nm == name:
                return i
        raise KeyError((line, name))

    def centres_of(self, line: str) -> list[int]:
        return [i for i, ln in enumerate(self.lines) if ln == line]


def build_chart(style: int, accrual_account_separate: bool) -> Chart:
    """Each council numbers its ledger its own way; the mapping to service lines is what matters."""
    codes: list[str] = []
    for i, (line, _name, _s) in enumerate(COST_CENTRES):
        block = {"staffing": 1, "income": 9}.get(line, 4 if line.startswith("placements") else 5)
        serial = 10 * (i + 1)
        if style == 0:
            codes.append(f"CS{block}{serial:03d}")
        elif style == 1:
            codes.append(f"20{block}{serial:03d}")
        else:
            codes.append(f"K{block}{serial:03d}A")
    accounts = dict(ACCOUNTS)
    if style == 1:
        accounts = {k: f"E{v}" if not v.startswith("9") else f"I{v}" for k, v in accounts.items()}
    if not accrual_account_separate:
        accounts.pop("accrual")
    return Chart(
        codes=tuple(codes),
        lines=tuple(x[0] for x in COST_CENTRES),
        names=tuple(x[1] for x in COST_CENTRES),
        s251=tuple(x[2] for x in COST_CENTRES),
        accounts=accounts,
    )
