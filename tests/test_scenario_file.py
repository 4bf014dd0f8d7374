"""Scenario files: levers read from YAML or TOML into one frozen object, every problem located by
file, line and field, refused together with InvalidScenario."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from carecast.domain.codes import PLACEMENT_LINES, ServiceLine
from carecast.domain.periods import Period
from carecast.errors import InvalidInput, Issue
from carecast.projection.scenario_file import (
    AgencyShare,
    CapResidential,
    Caseload,
    ClaRate,
    EntryRate,
    IfaToInHouse,
    InvalidScenario,
    Lever,
    Scenario,
    StepDownResidential,
    TimeInCare,
    UnitCost,
    check_within,
    describe,
    load_scenario,
    parse_scenario,
)

FIXTURES = Path(__file__).parent / "fixtures" / "scenarios"
APRIL_2018, MARCH_2021 = Period(2018, 4), Period(2021, 3)

# One lever of every kind, as YAML and as TOML, and the object both must give.
EVERY_KIND_YAML = """\
name: every kind
levers:
  - kind: cla_rate
    target: 65
    start: 2018-04
    over_months: 24
  - kind: ifa_to_in_house
    share: 0.2
  - kind: step_down_residential
    share: 0.1
    to: placements_supported
    start: 2018-06-01
  - kind: cap_residential
    children: 30
  - kind: agency_share
    target: 0.11
    by: 2020-03
  - kind: entry_rate
    change: -0.1
    over_months: 6
  - kind: time_in_care
    change: -0.05
    start: 2019-01
  - kind: unit_cost
    service_line: placements_residential
    change: 0.05
  - kind: caseload
    children_per_worker: 15
"""
EVERY_KIND_TOML = """\
name = "every kind"

[[levers]]
kind = "cla_rate"
target = 65.0
start = "2018-04"
over_months = 24

[[levers]]
kind = "ifa_to_in_house"
share = 0.2

[[levers]]
kind = "step_down_residential"
share = 0.1
to = "placements_supported"
start = 2018-06-01

[[levers]]
kind = "cap_residential"
children = 30

[[levers]]
kind = "agency_share"
target = 0.11
by = "2020-03"

[[levers]]
kind = "entry_rate"
change = -0.1
over_months = 6

[[levers]]
kind = "time_in_care"
change = -0.05
start = "2019-01"

[[levers]]
kind = "unit_cost"
service_line = "placements_residential"
change = 0.05

[[levers]]
kind = "caseload"
children_per_worker = 15
"""
EVERY_KIND = Scenario(
    name="every kind",
    levers=(
        ClaRate(target=65.0, start=Period(2018, 4), over_months=24),
        IfaToInHouse(share=0.2),
        StepDownResidential(share=0.1, to=ServiceLine.PLACEMENTS_SUPPORTED, start=Period(2018, 6)),
        CapResidential(children=30),
        AgencyShare(target=0.11, by=Period(2020, 3)),
        EntryRate(change=-0.1, over_months=6),
        TimeInCare(change=-0.05, start=Period(2019, 1)),
        UnitCost(service_line=ServiceLine.PLACEMENTS_RESIDENTIAL, change=0.05),
        Caseload(children_per_worker=15),
    ),
)


def refusal(text: str, source: str = "plan.yaml") -> list[Issue]:
    with pytest.raises(InvalidScenario) as caught:
        parse_scenario(text, source)
    assert caught.value.message.endswith("nothing was projected.")
    return caught.value.issues


def only(text: str, source: str = "plan.yaml") -> tuple[str, int | None, str | None, str]:
    """The one problem in `text`: (file, line, field, rule)."""
    issues = refusal(text, source)
    assert len(issues) == 1, issues
    return issues[0].source, issues[0].row, issues[0].column, issues[0].rule


def one_lever(lines: str) -> str:
    """A YAML scenario whose only lever's keys start on line 3 (`- kind:` is line 3)."""
    return "name: test\nlevers:\n  - " + lines.replace("\n", "\n    ") + "\n"


def test_every_kind_reads_the_same_from_yaml_and_toml() -> None:
    from_yaml = parse_scenario(EVERY_KIND_YAML, "every.yaml")
    from_toml = parse_scenario(EVERY_KIND_TOML, "every.toml")
    assert from_yaml == EVERY_KIND
    assert from_toml == EVERY_KIND
    assert from_yaml.levers == from_toml.levers  # field by field, not only by Scenario's equality


def test_defaults_are_the_first_month_a_twelve_month_ramp_and_ifa() -> None:
    lever = parse_scenario(one_lever("kind: step_down_residential\nshare: 0.1"), "a.yaml").levers[0]
    assert lever == StepDownResidential(
        share=0.1, start=None, over_months=12, to=ServiceLine.PLACEMENTS_IFA
    )


def test_lines_locate_each_field_in_yaml_and_toml() -> None:
    from_yaml = parse_scenario(EVERY_KIND_YAML, "every.yaml").lines
    assert from_yaml["name"] == 1
    assert from_yaml["levers[0]"] == 3
    assert from_yaml["levers[0].start"] == 5
    assert from_yaml["levers[4].by"] == 17
    from_toml = parse_scenario(EVERY_KIND_TOML, "every.toml").lines
    assert from_toml["levers[0]"] == 3  # the [[levers]] header
    assert from_toml["levers[0].start"] == 6
    assert from_toml["levers[4].by"] == 26


def test_the_example_files_load() -> None:
    neighbours = load_scenario(FIXTURES / "neighbours_rate.yaml")
    assert neighbours.levers == (
        ClaRate(target="statistical_neighbours", start=Period(2018, 4), over_months=24),
    )
    agency = load_scenario(FIXTURES / "agency_11.toml")
    assert agency.levers == (AgencyShare(target=0.11, by=Period(2020, 3), start=Period(2018, 10)),)
    mixed = load_scenario(FIXTURES / "mixed.yaml")
    assert [lever.kind for lever in mixed.levers] == [
        "entry_rate",
        "ifa_to_in_house",
        "step_down_residential",
        "cap_residential",
        "time_in_care",
        "unit_cost",
        "caseload",
    ]
    assert mixed.description is not None
    assert not mixed.description.endswith("\n")


@pytest.mark.parametrize(
    ("lever", "line", "field", "rule"),
    [
        ("kind: ifa_to_in_house\nshare: 0.2\nshares: 0.3", 5, "levers[0].shares", "unknown-key"),
        ("kind: agency_share\ntarget: 0.11", 3, "levers[0].by", "missing-field"),
        ("share: 0.2", 3, "levers[0].kind", "missing-field"),
        ("kind: caseload\nchildren_per_worker: 15\n1: 2", 5, "levers[0].1", "unknown-key"),
        ("kind: cap_residential\nchildren: thirty", 4, "levers[0].children", "wrong-type"),
        ("kind: cap_residential\nchildren: 30.5", 4, "levers[0].children", "wrong-type"),
        ("kind: ifa_to_in_house\nshare: true", 4, "levers[0].share", "wrong-type"),
        ("kind: ifa_to_in_house\nshare: 0", 4, "levers[0].share", "impossible-share"),
        ("kind: ifa_to_in_house\nshare: 1.2", 4, "levers[0].share", "impossible-share"),
        ("kind: ifa_to_in_house\nshare: .nan", 4, "levers[0].share", "impossible-share"),
        ("kind: cla_rate\ntarget: wales", 4, "levers[0].target", "impossible-target"),
        ("kind: cla_rate\ntarget: 0", 4, "levers[0].target", "impossible-target"),
        ("kind: cla_rate\ntarget: 1001", 4, "levers[0].target", "impossible-target"),
        ("kind: agency_share\ntarget: 1\nby: 2020-03", 4, "levers[0].target", "impossible-target"),
        ("kind: entry_rate\nchange: 0", 4, "levers[0].change", "impossible-change"),
        ("kind: time_in_care\nchange: -0.95", 4, "levers[0].change", "impossible-change"),
        (
            "kind: entry_rate\nchange: 0.1\nover_months: 0",
            5,
            "levers[0].over_months",
            "impossible-ramp",
        ),
        (
            "kind: caseload\nchildren_per_worker: 101",
            4,
            "levers[0].children_per_worker",
            "impossible-caseload",
        ),
        ("kind: cap_residential\nchildren: -1", 4, "levers[0].children", "impossible-count"),
        ("kind: respite\nshare: 0.1", 3, "levers[0].kind", "unknown-kind"),
        (
            "kind: unit_cost\nservice_line: staffing\nchange: 0.1",
            4,
            "levers[0].service_line",
            "unknown-service-line",
        ),
        (
            "kind: step_down_residential\nshare: 0.1\nto: placements_residential",
            5,
            "levers[0].to",
            "same-category",
        ),
        (
            "kind: cap_residential\nchildren: 3\nto: placements_residential",
            5,
            "levers[0].to",
            "same-category",
        ),
        ("kind: time_in_care\nchange: 0.1\nstart: 2018-13", 5, "levers[0].start", "bad-month"),
        ("kind: time_in_care\nchange: 0.1\nstart: 2018-04-15", 5, "levers[0].start", "bad-month"),
        (
            "kind: agency_share\ntarget: 0.1\nby: 2019-03\nstart: 2019-04",
            6,
            "levers[0].start",
            "start-after-by",
        ),
    ],
)
def test_a_refused_lever_names_the_file_the_line_and_the_field(
    lever: str, line: int, field: str, rule: str
) -> None:
    assert only(one_lever(lever)) == ("plan.yaml", line, field, rule)


def test_messages_say_how_to_fix_the_problem() -> None:
    unknown_key = refusal(one_lever("kind: ifa_to_in_house\nshare: 0.2\nshares: 0.3"))[0].message
    assert "'shares'" in unknown_key
    assert "kind, share, start, over_months" in unknown_key
    unknown_kind = refusal(one_lever("kind: respite"))[0].message
    assert "cla_rate, ifa_to_in_house, step_down_residential" in unknown_kind
    unknown_line = refusal(one_lever("kind: unit_cost\nservice_line: staffing\nchange: 0.1"))[
        0
    ].message
    assert all(line in unknown_line for line in PLACEMENT_LINES)
    month = refusal(one_lever("kind: time_in_care\nchange: 0.1\nstart: April"))[0].message
    assert "YYYY-MM" in month


@pytest.mark.parametrize(
    ("text", "line", "field", "rule"),
    [
        ("name: x\nlevers: []\n", 2, "levers", "no-levers"),
        ("name: x\nlevers:\n", 2, "levers", "no-levers"),
        ("name: x\n", None, "levers", "missing-field"),
        (
            "levers:\n  - kind: caseload\n    children_per_worker: 15\n",
            None,
            "name",
            "missing-field",
        ),
        (
            "name: x\ncolour: red\nlevers:\n  - kind: caseload\n    children_per_worker: 15\n",
            2,
            "colour",
            "unknown-key",
        ),
        (
            "name: 'a!b'\nlevers:\n  - kind: caseload\n    children_per_worker: 15\n",
            1,
            "name",
            "bad-name",
        ),
        (
            "name: 2020\nlevers:\n  - kind: caseload\n    children_per_worker: 15\n",
            1,
            "name",
            "wrong-type",
        ),
        ("name: x\nlevers: caseload\n", 2, "levers", "wrong-type"),
        ("name: x\nlevers:\n  - caseload\n", 3, "levers[0]", "wrong-type"),
        ("- name: x\n", None, None, "not-a-scenario"),
    ],
)
def test_a_refused_scenario_names_the_file_the_line_and_the_field(
    text: str, line: int | None, field: str | None, rule: str
) -> None:
    assert only(text) == ("plan.yaml", line, field, rule)


def test_two_levers_on_the_same_thing_are_refused_since_the_result_would_depend_on_order() -> None:
    text = (
        "name: twice\nlevers:\n"
        "  - kind: agency_share\n    target: 0.11\n    by: 2020-03\n"  # lines 3–5
        "  - kind: agency_share\n    target: 0.2\n    by: 2019-03\n"  # lines 6–8
        "  - kind: unit_cost\n    service_line: placements_ifa\n    change: 0.1\n"  # 9–11
        "  - kind: unit_cost\n    service_line: placements_residential\n    change: 0.1\n"  # 12–14
        "  - kind: unit_cost\n    service_line: placements_ifa\n    change: -0.1\n"  # 15–17
    )
    issues = refusal(text)
    assert [(i.row, i.column, i.rule) for i in issues] == [
        (6, "levers[1].kind", "duplicate-lever"),
        (16, "levers[4].service_line", "duplicate-lever"),
    ]
    assert "levers[0]" in issues[0].message


def test_step_downs_to_two_lines_stand_together_unless_they_take_more_than_all_of_residential() -> (
    None
):
    two = (
        "name: two\nlevers:\n"
        "  - kind: step_down_residential\n    share: 0.6\n    to: placements_ifa\n"
        "  - kind: step_down_residential\n    share: {second}\n    to: placements_supported\n"
    )
    assert len(parse_scenario(two.format(second=0.4), "a.yaml").levers) == 2
    assert only(two.format(second=0.5)) == ("plan.yaml", 7, "levers[1].share", "impossible-share")


def test_every_problem_of_a_file_is_reported_together() -> None:
    text = (
        "name: several\n"
        "owner: finance\n"  # 2
        "levers:\n"
        "  - kind: ifa_to_in_house\n    share: 1.5\n"  # 4–5
        "  - kind: caseload\n    children_per_worker: 15\n"  # 6–7
        "  - kind: caseload\n    children_per_worker: 12\n"  # 8–9
        "  - kind: unit_cost\n    service_line: placements_spa\n    change: 0\n"  # 10–12
    )
    assert [(i.source, i.row, i.column, i.rule) for i in refusal(text)] == [
        ("plan.yaml", 2, "owner", "unknown-key"),
        ("plan.yaml", 5, "levers[0].share", "impossible-share"),
        ("plan.yaml", 11, "levers[3].service_line", "unknown-service-line"),
        ("plan.yaml", 12, "levers[3].change", "impossible-change"),
        ("plan.yaml", 8, "levers[2].kind", "duplicate-lever"),
    ]


def test_toml_problems_are_located_by_scanning_the_text() -> None:
    text = (
        'name = "t"\n\n'
        "[[levers]]\n"  # 3
        'kind = "caseload"\n'
        "children_per_worker = 15\n\n"
        "[[levers]]\n"  # 7
        'kind = "ifa_to_in_house"\n'
        "share = 2\n"  # 9
        "[[levers]]\n"  # 10
        'kind = "agency_share"\n'
        "target = 0.1\n"
    )
    issues = refusal(text, "plan.toml")
    assert [(i.source, i.row, i.column, i.rule) for i in issues] == [
        ("plan.toml", 9, "levers[1].share", "impossible-share"),
        ("plan.toml", 10, "levers[2].by", "missing-field"),  # missing: the lever's header
    ]


@pytest.mark.parametrize(
    ("text", "source", "line"),
    [
        ("name: x\nlevers: [\n", "plan.yaml", 3),
        ("name: x\n  levers: 1\n", "plan.yaml", 2),
        ('name = "x"\nlevers = \n', "plan.toml", 2),
        ('name = "x"\nname = "y"\n', "plan.toml", 2),
    ],
)
def test_a_syntax_error_gives_the_parsers_line(text: str, source: str, line: int) -> None:
    assert only(text, source) == (source, line, None, "syntax")


def test_yaml_tags_are_never_evaluated() -> None:
    _, line, _, rule = only("name: !!python/object/apply:os.system ['true']\n")
    assert (line, rule) == (1, "syntax")


def test_yaml_aliases_and_repeated_keys_are_refused() -> None:
    assert only("name: &n x\ndescription: *n\n")[1:] == (2, "description", "alias")
    text = one_lever("kind: caseload\nchildren_per_worker: 15\nchildren_per_worker: 12")
    assert only(text)[1:] == (5, "levers[0].children_per_worker", "duplicate-key")


def test_a_file_over_64_kib_is_refused() -> None:
    text = one_lever("kind: caseload\nchildren_per_worker: 15") + "# " + "x" * 65536 + "\n"
    assert only(text)[3] == "too-large"


def test_a_suffix_other_than_yaml_or_toml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"name": "x"}', encoding="utf-8")
    with pytest.raises(InvalidScenario) as caught:
        load_scenario(path)
    assert [(i.source, i.rule) for i in caught.value.issues] == [
        ("plan.json", "unsupported-format")
    ]
    assert ".toml" in caught.value.issues[0].message


def test_load_scenario_reports_an_unreadable_file_and_accepts_yml(tmp_path: Path) -> None:
    with pytest.raises(InvalidScenario) as caught:
        load_scenario(tmp_path / "missing.yaml")
    assert [(i.source, i.rule) for i in caught.value.issues] == [("missing.yaml", "unreadable")]
    path = tmp_path / "plan.yml"
    path.write_bytes(
        b"\xef\xbb\xbf" + one_lever("kind: caseload\nchildren_per_worker: 15").encode()
    )
    assert load_scenario(path).levers == (Caseload(children_per_worker=15),)


def test_invalid_scenario_is_invalid_input_and_survives_a_process_boundary() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_scenario("name: x\nlevers: []\n", "plan.yaml")
    error = pickle.loads(pickle.dumps(caught.value))
    assert isinstance(error, InvalidScenario)
    assert error.lines() == [
        "plan.yaml:2:levers: no-levers: the scenario has no levers; add at least one "
        "(cla_rate, ifa_to_in_house, step_down_residential, cap_residential, agency_share, "
        "entry_rate, time_in_care, unit_cost, caseload)",
        "1 problem(s) found in the scenario; nothing was projected.",
    ]


def test_scenarios_built_in_code_obey_the_same_rules() -> None:
    with pytest.raises(ValueError, match="at least one lever"):
        Scenario(name="x", levers=())
    with pytest.raises(ValueError, match="depend on their order"):
        Scenario(name="x", levers=(EntryRate(change=0.1), EntryRate(change=0.2)))
    with pytest.raises(ValueError, match="impossible"):
        IfaToInHouse(share=0)


def test_check_within_locates_a_month_outside_the_projection() -> None:
    scenario = parse_scenario(
        one_lever("kind: agency_share\ntarget: 0.11\nby: 2022-03\nstart: 2018-01"), "plan.yaml"
    )
    issues = check_within(scenario, APRIL_2018, MARCH_2021, "plan.yaml")
    assert [(i.source, i.row, i.column, i.rule) for i in issues] == [
        ("plan.yaml", 5, "levers[0].by", "outside-horizon"),
        ("plan.yaml", 6, "levers[0].start", "outside-horizon"),
    ]
    assert "from 2018-04 to 2021-03" in issues[0].message
    assert "2021-03 or earlier" in issues[0].message
    assert "2018-04 or later" in issues[1].message
    assert check_within(scenario, Period(2018, 1), Period(2022, 3), "plan.yaml") == []


def test_check_within_passes_levers_that_start_with_the_projection() -> None:
    assert check_within(EVERY_KIND, APRIL_2018, MARCH_2021, "every.yaml") == []


@pytest.mark.parametrize(
    ("lever", "sentence"),
    [
        (
            IfaToInHouse(share=0.2, start=Period(2018, 4), over_months=24),
            "Move 20% of placements with independent fostering agencies to in-house fostering "
            "over 24 months from April 2018.",
        ),
        (
            ClaRate(target="statistical_neighbours", start=Period(2018, 4), over_months=24),
            "Move the rate of children looked after to the statistical neighbours' average "
            "over 24 months from April 2018.",
        ),
        (
            ClaRate(target=62.5),
            "Move the rate of children looked after to 62.5 per 10,000 children "
            "over 12 months from the projection's first month.",
        ),
        (
            StepDownResidential(share=0.125, to=ServiceLine.PLACEMENTS_SUPPORTED),
            "Step down 12.5% of placements in residential care to supported accommodation "
            "over 12 months from the projection's first month.",
        ),
        (
            CapResidential(children=30, start=Period(2019, 4)),
            "Hold residential care to at most 30 children, moving those above to independent "
            "fostering agencies, over 12 months from April 2019.",
        ),
        (
            AgencyShare(target=0.11, by=Period(2020, 3), start=Period(2018, 10)),
            "Bring agency staff to 11% of filled staff FTE by March 2020, starting in October 2018.",
        ),
        (
            EntryRate(change=-0.1, over_months=6),
            "Reduce the number of children entering care by 10% over 6 months "
            "from the projection's first month.",
        ),
        (
            TimeInCare(change=0.05, start=Period(2019, 1)),
            "Lengthen the time children stay in care by 5% from January 2019.",
        ),
        (
            UnitCost(
                service_line=ServiceLine.PLACEMENTS_RESIDENTIAL, change=0.05, start=Period(2019, 4)
            ),
            "Raise the weekly price of placements in residential care by 5% from April 2019.",
        ),
        (
            Caseload(children_per_worker=15, start=Period(2018, 9)),
            "Work to a caseload of 15 children per case-holding social worker from September 2018.",
        ),
    ],
)
def test_describe_gives_one_plain_sentence(lever: Lever, sentence: str) -> None:
    assert describe(lever) == sentence


# Valid scenarios, generated: dumped to YAML they must read back as the same object.
months = st.builds(Period, st.integers(2015, 2035), st.integers(1, 12))
starts = st.none() | months
ramps = st.integers(1, 120)
shares = st.floats(0, 1, exclude_min=True)
changes = st.floats(-0.9, 2).filter(lambda change: change != 0)
destinations = st.sampled_from(
    [line for line in PLACEMENT_LINES if line != ServiceLine.PLACEMENTS_RESIDENTIAL]
)
levers: st.SearchStrategy[Any] = st.one_of(
    st.builds(
        ClaRate,
        target=st.sampled_from(["statistical_neighbours", "england"])
        | st.floats(0, 1000, exclude_min=True),
        start=starts,
        over_months=ramps,
    ),
    st.builds(IfaToInHouse, share=shares, start=starts, over_months=ramps),
    st.builds(StepDownResidential, share=shares, to=destinations, start=starts, over_months=ramps),
    st.builds(
        CapResidential,
        children=st.integers(0, 5000),
        to=destinations,
        start=starts,
        over_months=ramps,
    ),
    st.builds(AgencyShare, target=st.floats(0, 1, exclude_max=True), by=months, start=st.none()),
    st.builds(EntryRate, change=changes, start=starts, over_months=ramps),
    st.builds(TimeInCare, change=changes, start=starts),
    st.builds(
        UnitCost, service_line=st.sampled_from(PLACEMENT_LINES), change=changes, start=starts
    ),
    st.builds(Caseload, children_per_worker=st.floats(1, 100), start=starts),
)
scenarios = st.builds(
    Scenario,
    name=st.from_regex(r"[A-Za-z0-9_-]([A-Za-z0-9 _-]{0,58}[A-Za-z0-9_-])?", fullmatch=True),
    description=st.none() | st.text(st.characters(categories=("L", "N", "P", "Zs")), max_size=80),
    # one lever per kind and service line: two acting on the same thing are refused, and so are
    # step-downs taking more than all of residential care
    levers=st.lists(
        levers,
        min_size=1,
        max_size=9,
        unique_by=lambda lever: (lever.kind, getattr(lever, "service_line", "")),
    ).map(tuple),
)


@settings(max_examples=150, deadline=None)
@given(scenarios)
def test_any_valid_scenario_dumped_to_yaml_reads_back_equal(scenario: Scenario) -> None:
    text = yaml.safe_dump(scenario.model_dump(mode="json", exclude_none=True), sort_keys=False)
    assert parse_scenario(text, "generated.yaml") == scenario
