"""DfE's SSDA903 XML form: one table per DfE table, CSV column names, rows = element lines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from carecast.ingest.loader import parse_path, parse_paths
from carecast.ingest.rules import RuleContext
from carecast.ingest.ssda903_xml import TABLES, read_ssda903_xml
from tests.conftest import SHARED, Writer

SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>X001</CHILDID>
      <SEX>1</SEX>
      <DOB>14/02/2006</DOB>
      <ETHNIC>WBRI</ETHNIC>
      <UPN>A123456789012</UPN>
      <UASC>1</UASC>
      <DUC>01/01/2024</DUC>
      <AREVIEW>
        <REVIEW>01/06/2018</REVIEW>
        <REVIEW_CODE>PN1</REVIEW_CODE>
      </AREVIEW>
      <MOTHER />
    </HEADER>
    <EPISODE>
      <DECOM>01/05/2018</DECOM>
      <RNE>S</RNE>
      <LS>C2</LS>
      <CIN>N1</CIN>
      <PL>U4</PL>
      <PLACE_PROVIDER>PR4</PLACE_PROVIDER>
      <DEC>01/08/2018</DEC>
      <REC>X1</REC>
    </EPISODE>
    <EPISODE>
      <DECOM>01/08/2018</DECOM>
      <RNE>P</RNE>
      <LS>C2</LS>
      <CIN>N1</CIN>
      <PL>Q9</PL>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER>
    </EPISODE>
  </CHILD>
  <CHILD>
    <HEADER>
      <CHILDID>X002</CHILDID>
      <SEX>2</SEX>
      <DOB>01/01/2010</DOB>
      <ETHNIC>NOBT</ETHNIC>
    </HEADER>
    <EPISODE>
      <DECOM>03/03/2019</DECOM>
      <RNE>S</RNE>
      <LS>V2</LS>
      <CIN>N2</CIN>
      <PL>K2</PL>
      <PLACE_PROVIDER>PR4</PLACE_PROVIDER>
    </EPISODE>
  </CHILD>
</EXPSSDA903>
"""


def test_each_dfe_table_is_read_with_the_csv_forms_columns(write: Writer) -> None:
    tables, issues = read_ssda903_xml(write("return.xml", SMALL))
    assert issues == []
    by_name = {t.header: t for t in tables}
    assert len(tables) == 4  # header, episodes, UASC, reviews: nothing else is present
    header = by_name[("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")]
    assert header.frame["col0"].to_list() == ["X001", "X002"]
    assert header.frame["__row"].to_list() == [4, 38]  # the line of each HEADER element
    episodes = next(t for t in tables if t.header[1] == "DECOM")
    assert episodes.header[5] == "PLACE"  # the XML's PL
    assert episodes.frame["col0"].to_list() == ["X001", "X001", "X002"]  # the child's CHILDID
    assert episodes.frame["col5"].to_list() == ["U4", "Q9", "K2"]
    assert episodes.frame["__row"].to_list() == [18, 28, 44]
    uasc = by_name[("CHILD", "SEX", "DOB", "DUC")]
    assert uasc.frame.row(0) == ("X001", "1", "14/02/2006", "01/01/2024", 10)  # at <UASC>
    reviews = by_name[("CHILD", "DOB", "REVIEW", "REVIEW_CODE")]
    assert reviews.frame.row(0) == ("X001", "14/02/2006", "01/06/2018", "PN1", 12)


def test_problems_are_located_at_the_elements_line_and_spelling(write: Writer) -> None:
    path = write("return.xml", SMALL)
    parsed, issues = parse_path(path, RuleContext(date(2019, 3, 31)))
    assert sorted(p.dataset.name for p in parsed) == [
        "ssda903_episodes",
        "ssda903_header",
        "ssda903_reviews",
        "ssda903_uasc",
    ]
    errors = [i for i in issues if i.rule == "invalid-place"]
    assert [(i.row, i.column) for i in errors] == [(28, "PL")]
    assert (
        errors[0].format().startswith(f"{path}:28:PL: invalid-place: 'Q9' is not a code of PLACE")
    )


def test_every_table_of_an_xml_file_is_its_own_batch(write: Writer) -> None:
    parsed, _ = parse_path(write("return.xml", SMALL), RuleContext(date(2019, 3, 31)))
    assert len({p.sha256 for p in parsed}) == len(parsed)
    again, _ = parse_path(write("copy.xml", SMALL), RuleContext(date(2019, 3, 31)))
    assert [p.sha256 for p in again] == [p.sha256 for p in parsed]  # identical re-imports skip


def test_the_dfe_validator_sample_reads_every_table() -> None:
    tables, issues = read_ssda903_xml(SHARED / "fixtures" / "ssda903_fake" / "fake_903.xml")
    assert issues == []
    names = {t.columns: t.name for t in TABLES}
    assert {names[t.header]: t.frame.height for t in tables} == {
        "header": 253,
        "episodes": 459,
        "uasc": 12,  # the children with a <UASC> value
        "oc3": 6,
        "ad1": 3,
        "reviews": 1206,
        "missing": 6,
        "oc2": 253,
        "previous_permanence": 253,
        "placed_for_adoption": 3,
    }


def test_the_sample_imports_with_the_csv_forms_rules() -> None:
    path = SHARED / "fixtures" / "ssda903_fake" / "fake_903.xml"
    parsed, issues = parse_paths([path], RuleContext(date(2023, 3, 31)))
    assert len(parsed) == 10
    assert all(i.row == 2 for i in issues if i.row is not None)  # the sample is a single line


@pytest.mark.parametrize(
    ("text", "rule", "row"),
    [
        ("<EXPSSDA903><CHILD><HEADER>\n<CHILDID>1</CHILDID></CHILD>", "bad-xml", 2),
        ("<?xml version='1.0'?>\n<budget><line/></budget>\n", "unknown-table", 1),
    ],
)
def test_a_broken_or_foreign_xml_file_is_one_located_error(
    tmp_path: Path, text: str, rule: str, row: int
) -> None:
    path = tmp_path / "x.xml"
    path.write_text(text)
    parsed, issues = parse_path(path)
    assert parsed == []
    assert [(i.rule, i.row) for i in issues] == [(rule, row)]


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    """An XML file cannot make carecast read other files (no external entities)."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    path = tmp_path / "x.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file://{secret}">]>'
        "<EXPSSDA903><CHILD><HEADER><CHILDID>&e;</CHILDID><SEX>1</SEX><DOB>01/01/2010</DOB>"
        "<ETHNIC>WBRI</ETHNIC></HEADER></CHILD></EXPSSDA903>"
    )
    tables, _ = read_ssda903_xml(path)
    assert "TOPSECRET" not in str([t.frame.rows() for t in tables])


SOCIAL_WORKERS = """<?xml version="1.0" encoding="UTF-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>X001</CHILDID>
      <SEX>M</SEX>
      <DOB>14/02/2010</DOB>
      <ETHNIC>WBRI</ETHNIC>
    </HEADER>
    <EPISODE>
      <DECOM>01/05/2023</DECOM>
      <RNE>S</RNE>
      <LS>C2</LS>
      <CIN>N1</CIN>
      <PL>U4</PL>
      <PLACE_PROVIDER>PR4</PLACE_PROVIDER>
    </EPISODE>
    <SW_EPISODE>
      <SW_ID>SW01</SW_ID>
      <SW_DECOM>01/05/2023</SW_DECOM>
      <SW_DEC>30/09/2023</SW_DEC>
      <SW_REASON>LEFTRL</SW_REASON>
    </SW_EPISODE>
    <SW_EPISODE>
      <SW_ID>SW02</SW_ID>
      <SW_DECOM>01/10/2023</SW_DECOM>
    </SW_EPISODE>
  </CHILD>
  <CHILD>
    <HEADER>
      <CHILDID>X002</CHILDID>
      <SEX>F</SEX>
      <DOB>01/01/2008</DOB>
      <ETHNIC>NOBT</ETHNIC>
      <DOLO>
        <DOLO_START>01/06/2023</DOLO_START>
      </DOLO>
    </HEADER>
    <SOCIALWORKER>
      <SW_DECOM>01/04/2023</SW_DECOM>
      <SW_ID>SW07</SW_ID>
    </SOCIALWORKER>
  </CHILD>
</EXPSSDA903>
"""


def test_social_worker_episodes_and_dolo_are_read_by_their_fields_whatever_the_element(
    write: Writer,
) -> None:
    """DfE's 2023-24 tables: a record is the element holding SW_ID… or DOLO_START…, at any depth."""
    tables, issues = read_ssda903_xml(write("return.xml", SOCIAL_WORKERS))
    assert issues == []
    names = {t.columns: t.name for t in TABLES}
    by_name = {names[t.header]: t for t in tables}
    social = by_name["sw_episodes"]
    assert social.header == ("CHILD", "SW_ID", "SW_DECOM", "DOB", "SW_DEC", "SW_REASON")
    assert social.frame.rows() == [
        ("X001", "SW01", "01/05/2023", "14/02/2010", "30/09/2023", "LEFTRL", 18),
        ("X001", "SW02", "01/10/2023", "14/02/2010", None, None, 24),
        ("X002", "SW07", "01/04/2023", "01/01/2008", None, None, 39),
    ]
    dolo = by_name["dolo"]
    assert dolo.frame.rows() == [("X002", "01/06/2023", "01/01/2008", None, 35)]


def test_social_worker_episodes_from_xml_get_the_csv_forms_rules(write: Writer) -> None:
    broken = SOCIAL_WORKERS.replace(
        "<SW_DECOM>01/10/2023</SW_DECOM>", "<SW_DECOM>31/09/2023</SW_DECOM>"
    )
    parsed, issues = parse_path(write("return.xml", broken), RuleContext(date(2024, 3, 31)))
    assert "ssda903_sw_episodes" in {p.dataset.name for p in parsed}
    located = [(i.row, i.column, i.rule) for i in issues if i.rule == "bad-date"]
    assert located == [(24, "SW_DECOM", "bad-date")]
