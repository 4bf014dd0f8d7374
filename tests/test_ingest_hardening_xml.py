"""Reading hostile SSDA903 XML: DTDs, nesting, size, and elements that carry nothing (issue [6])."""

from __future__ import annotations

from pathlib import Path

import pytest

from carecast.errors import Severity
from carecast.ingest.loader import parse_path, read_tables


def xml(tmp_path: Path, body: bytes) -> Path:
    path = tmp_path / "return.xml"
    path.write_bytes(b"<?xml version='1.0' encoding='utf-8'?>\n" + body)
    return path


CHILD = b"<CHILD><HEADER><CHILDID>C1</CHILDID><SEX>1</SEX><DOB>01/01/2010</DOB></HEADER></CHILD>"


def test_xml_declaring_entities_is_refused(tmp_path: Path) -> None:
    declared = b'<!DOCTYPE EXPSSDA903 [<!ENTITY id "C1">]>'
    path = xml(
        tmp_path, declared + b"<EXPSSDA903>" + CHILD.replace(b">C1<", b">&id;<") + b"</EXPSSDA903>"
    )
    tables, issues = read_tables(path)  # before: CHILDID read as empty (the entity unresolved)
    assert tables == []
    assert [(i.row, i.rule) for i in issues] == [(1, "bad-xml")]
    assert "declares a DTD" in issues[0].message


def test_xml_nesting_beyond_the_limit_is_refused_at_its_line(tmp_path: Path) -> None:
    deep = b"<X>" * 20 + b"</X>" * 20
    path = xml(
        tmp_path,
        b"<EXPSSDA903>\n" + CHILD.replace(b"</HEADER>", deep + b"</HEADER>") + b"</EXPSSDA903>",
    )
    tables, issues = read_tables(path)
    assert tables == []
    assert [(i.row, i.rule) for i in issues] == [(3, "too-large")]
    assert "nest more than 16 deep (carecast's limit)" in issues[0].message


def test_xml_with_more_elements_than_the_limit_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from carecast.ingest import xml_checks

    monkeypatch.setattr(xml_checks, "MAX_XML_ELEMENTS", 100)
    path = xml(tmp_path, b"<EXPSSDA903>" + CHILD * 30 + b"</EXPSSDA903>")
    tables, issues = read_tables(path)
    assert tables == []
    assert [i.rule for i in issues] == ["too-large"]
    assert "more than 100 (carecast's limit)" in issues[0].message


def test_xml_of_empty_elements_is_reported_not_imported_silently(tmp_path: Path) -> None:
    path = xml(tmp_path, b"<EXPSSDA903>\n" + b"<CHILD/>\n" * 100_000 + b"</EXPSSDA903>")
    parsed, issues = parse_path(path)  # before: nothing imported, exit 0, no message
    assert parsed == []
    warnings = [i for i in issues if i.severity is Severity.WARNING]
    assert [(i.row, i.rule) for i in warnings[:2]] == [(3, "empty-element"), (4, "empty-element")]
    assert warnings[-1].message.startswith("99,980 more elements like these")
    [error] = [i for i in issues if i.severity is Severity.ERROR]
    assert (error.row, error.rule) == (3, "no-records")
    assert error.message.startswith("the file's 100,000 CHILD elements carry no data")


def test_elements_that_are_not_part_of_the_form_are_warned_of_at_their_line(
    tmp_path: Path,
) -> None:
    path = xml(tmp_path, b"<EXPSSDA903>\n<NOTE/>\n" + CHILD + b"\n<CHILD/>\n</EXPSSDA903>")
    tables, issues = read_tables(path)
    assert [t.frame.height for t in tables] == [1]
    assert [(i.row, i.rule, i.severity) for i in issues] == [
        (5, "empty-element", Severity.WARNING),
        (3, "stray-element", Severity.WARNING),
    ]


def test_a_field_given_twice_in_a_record_is_refused_at_its_line(tmp_path: Path) -> None:
    """Found by the fuzzer: `<CIN>N1</CIN><CIN>N2</CIN>` stored N2 without a word."""
    episode = b"<EPISODE><DECOM>01/05/2018</DECOM>\n<CIN>N1</CIN>\n<CIN>N2</CIN></EPISODE>"
    body = CHILD.replace(b"</HEADER>", b"</HEADER>" + episode)
    tables, issues = read_tables(xml(tmp_path, b"<EXPSSDA903>\n" + body + b"</EXPSSDA903>"))
    assert tables == []
    assert [(i.row, i.column, i.rule) for i in issues] == [
        (5, "CIN", "duplicate-field")
    ]  # the second


def test_records_nested_more_than_once_are_not_fields_given_twice(tmp_path: Path) -> None:
    review = b"<AREVIEW><REVIEW>01/06/2018</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>"
    body = CHILD.replace(b"</HEADER>", review * 2 + b"</HEADER>")
    tables, issues = read_tables(xml(tmp_path, b"<EXPSSDA903>" + body + b"</EXPSSDA903>"))
    assert issues == []
    reviews = next(t for t in tables if "REVIEW" in t.header)
    assert reviews.frame.height == 2


def test_a_comment_inside_a_field_keeps_the_fields_text(tmp_path: Path) -> None:
    """Found by the fuzzer: `<ETHNIC><!-- x -->WBRI</ETHNIC>` was read as no ethnicity (lxml's
    text of an element stops at its first comment)."""
    body = CHILD.replace(b"</DOB>", b"</DOB><ETHNIC><!-- checked -->WB<?x y?>RI</ETHNIC>")
    tables, issues = read_tables(xml(tmp_path, b"<EXPSSDA903>" + body + b"</EXPSSDA903>"))
    assert issues == []
    header = next(t for t in tables if "ETHNIC" in t.header)
    assert header.frame.get_column(f"col{header.header.index('ETHNIC')}").to_list() == ["WBRI"]
