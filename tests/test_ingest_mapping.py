"""Column-mapping files let a council load its own export unedited: headings, values, dates, sheet."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from carecast.errors import InvalidInput
from carecast.ingest.loader import parse_file, parse_paths
from carecast.ingest.mapping import load_mapping, read_mapping, strftime_form

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "mappings"


def test_the_contrOCC_example_loads_its_sample_export_unedited() -> None:
    mapping = load_mapping(EXAMPLES / "contrOCC_service_agreements.yaml")
    assert mapping.dataset == "placement_costs"
    assert mapping.date_format == "%d-%b-%Y"
    parsed, issues = parse_file(EXAMPLES / "contrOCC_service_agreements_sample.csv", None, mapping)
    assert issues == []
    assert parsed is not None
    assert parsed.frame.select("CHILD", "PLACEMENT_TYPE", "START_DATE", "WEEKLY_COST").rows() == [
        ("SYN0001", "placements_ifa", date(2018, 4, 1), 91100),
        ("SYN0002", "placements_supported", date(2018, 5, 15), 125000),
        ("SYN0003", "placements_residential", date(2018, 6, 2), 374100),
    ]
    assert parsed.frame["CONTRIBUTION_PCT"].to_list() == [0.0, 0.0, 25.0]


def test_problems_name_the_councils_own_heading(tmp_path: Path) -> None:
    mapping_file = tmp_path / "m.yaml"
    mapping_file.write_text(
        "columns:\n  Client Ref: CHILD\n  Service Type: PLACEMENT_TYPE\n  Provider Name: PROVIDER\n"
        "  Start: START_DATE\n  End: END_DATE\n  Weekly Rate: WEEKLY_COST\n  Cost Code: COST_CENTRE\n"
        "values:\n  PLACEMENT_TYPE:\n    IFA: placements_ifa\n"
    )
    export = tmp_path / "export.csv"
    export.write_text(
        "Client Ref,Service Type,Provider Name,Start,End,Weekly Rate,Cost Code\n"
        "SYN1,IFA,P,2018-04-01,,911,CC1\n"
        "SYN2,Foster Plus,P,2018-04-01,,911,CC1\n"
    )
    _, issues = parse_file(export, None, load_mapping(mapping_file))
    [issue] = issues
    assert issue.row == 3
    assert issue.column == "Service Type"
    assert issue.message.startswith("'Foster Plus' is not a valid PLACEMENT_TYPE")


def test_a_mapping_applies_only_to_files_with_its_headings(tmp_path: Path) -> None:
    mapping_file = tmp_path / "m.yaml"
    mapping_file.write_text("columns:\n  Cost Code: COST_CENTRE\n")
    other = tmp_path / "cc.csv"
    other.write_text("COST_CENTRE,SERVICE_LINE\nCC1,staffing\n")
    parsed, issues = parse_paths([other], None, load_mapping(mapping_file))
    assert issues == []
    assert parsed[0].dataset.name == "cost_centres"


def test_the_mapping_names_the_sheet_of_a_workbook(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Cover"
    book.active["A1"] = "Report"
    sheet = book.create_sheet("Service Agreements")
    sheet.append(["Cost Code", "Line"])
    sheet.append(["CC1", "staffing"])
    book.save(tmp_path / "report.xlsx")
    mapping_file = tmp_path / "m.yaml"
    mapping_file.write_text(
        "sheet: service agreements\ncolumns:\n  Cost Code: COST_CENTRE\n  Line: SERVICE_LINE\n"
    )
    parsed, issues = parse_file(tmp_path / "report.xlsx", None, load_mapping(mapping_file))
    assert issues == []
    assert parsed is not None
    assert parsed.frame["COST_CENTRE"].to_list() == ["CC1"]


def test_a_file_that_is_not_the_mappings_dataset_is_refused(tmp_path: Path) -> None:
    mapping_file = tmp_path / "m.yaml"
    mapping_file.write_text("dataset: budget\ncolumns:\n  Cost Code: COST_CENTRE\n")
    export = tmp_path / "cc.csv"
    export.write_text("Cost Code,SERVICE_LINE\nCC1,staffing\n")
    _, issues = parse_file(export, None, load_mapping(mapping_file))
    assert [(i.rule, i.row) for i in issues] == [("mapping-dataset", 1)]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("colums:\n  A: CHILD\n", 1, "'colums' is not a mapping setting"),
        ("columns:\n  Client: CHILDID\n", 2, "'CHILDID' is not a carecast column"),
        ("columns:\n  - CHILD\n", 2, "lists are not supported"),
        ("dataset: placements\n", 1, "'placements' is not an input carecast knows"),
        ("date_format: soon\n", 1, "'soon' is not a date format"),
        ("columns:\n\tA: CHILD\n", 2, "indent with spaces, not tabs"),
        ("sheet: A\nsheet: B\n", 2, "'sheet' is given twice"),
        ("values:\n  PLACEMENT_TYPE: ifa\n", 2, "holds 'local value: carecast value' lines"),
        ("columns:\n", 1, "'columns:' has no value"),
    ],
)
def test_mapping_file_mistakes_are_located(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    mapping, issues = read_mapping(path)
    assert mapping is None
    assert {(i.source, i.rule) for i in issues} == {(str(path), "bad-mapping")}
    assert any(i.row == line and message in i.message for i in issues), issues
    with pytest.raises(InvalidInput):
        load_mapping(path)


def test_spreadsheet_date_patterns_become_strftime() -> None:
    assert strftime_form("DD/MM/YYYY") == "%d/%m/%Y"
    assert strftime_form("DD-MMM-YY") == "%d-%b-%y"
    assert strftime_form("%Y%m%d") == "%Y%m%d"


def test_a_mapped_value_is_typed_like_any_other_whatever_the_files_case(tmp_path: Path) -> None:
    """An export in capitals (nothing to upper-case) still gets its mapped codes upper-cased."""
    mapping_file = tmp_path / "m.yaml"
    mapping_file.write_text("values:\n  PLACE:\n    RESI: r1\n")
    export = tmp_path / "episodes.csv"
    export.write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\nSYN1,01/05/2018,S,C2,N1,RESI,PR1,,\n"
    )
    parsed, issues = parse_file(export, None, load_mapping(mapping_file))
    assert issues == []
    assert parsed is not None
    assert parsed.frame["PLACE"].to_list() == ["R1"]


def test_a_mapping_file_of_nested_aliases_is_refused_at_once(tmp_path: Path) -> None:
    lines = ["a0: &a0 {x: y}"]
    lines += [f"a{n}: &a{n} {{p: *a{n - 1}, q: *a{n - 1}}}" for n in range(1, 30)]
    path = tmp_path / "map.yaml"
    path.write_text("\n".join(lines) + "\n")
    started = time.perf_counter()
    mapping, issues = read_mapping(path)  # before: 2^30 walks of the same nodes, never finished
    assert time.perf_counter() - started < 1
    assert mapping is None
    assert (issues[0].row, issues[0].rule) == (2, "bad-mapping")
    assert issues[0].message.startswith("anchors and aliases (&name, *name) are not supported")


def test_a_character_yaml_forbids_is_located_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_bytes(b"dataset: placement_costs\ncolumns:\n  Client\x00 ID: CHILD\n")
    _, issues = read_mapping(path)
    assert [(i.row, i.message) for i in issues] == [
        (3, "character #x0000 is not allowed in YAML; remove it")
    ]


def test_a_mapping_file_not_in_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_bytes("columns:\n  Client ID: CHILD\n".encode("utf-16"))
    _, issues = read_mapping(path)
    assert [i.message for i in issues] == ["the file is not UTF-8 text (byte 0); save it as UTF-8"]


def test_a_heading_mapped_onto_a_column_the_export_already_has_is_refused(tmp_path: Path) -> None:
    """The export has its own WEEKLY_COST (gross) and a 'Net Rate' the mapping also calls
    WEEKLY_COST: which is meant cannot be told (the first used to win without a word)."""
    mapping_file = tmp_path / "m.yaml"
    mapping_file.write_text("columns:\n  Client Ref: CHILD\n  Net Rate: WEEKLY_COST\n")
    export = tmp_path / "export.csv"
    export.write_text(
        "Client Ref,PLACEMENT_TYPE,PROVIDER,START_DATE,END_DATE,WEEKLY_COST,Net Rate,COST_CENTRE\n"
        "SYN1,placements_ifa,P,2018-04-01,,911,800,CC1\n"
    )
    parsed, issues = parse_file(export, None, load_mapping(mapping_file))
    assert parsed is None
    [issue] = issues
    assert (issue.rule, issue.row, issue.column) == ("mapping-clash", 1, "Net Rate")
    assert "'WEEKLY_COST' (column 6) and 'Net Rate' (column 7)" in issue.message
