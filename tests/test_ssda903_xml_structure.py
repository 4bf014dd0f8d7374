"""SSDA903 XML whose structure is mangled: refused at the element, or read exactly (issue [6]).

Each case is one the fuzzer found stored as values the file does not say (bench/fuzz.py --only
xml --seed N): a DOB holding elements and given twice (2915), a CHILD inside another's HEADER
(3968), an EPISODE inside a field and a PLACE_PROVIDER holding one (4110), a PL given twice
holding an element (8365), a UPN after a processing instruction and holding an element (7176).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carecast.errors import Issue
from carecast.ingest.loader import read_tables
from carecast.ingest.reading import RawTable

HEADER = "<CHILDID>T01</CHILDID><SEX>1</SEX><DOB>01/01/2008</DOB><ETHNIC>WBRI</ETHNIC>"
EPISODE = (
    "<EPISODE><DECOM>01/05/2018</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U4</PL>"
    "<PLACE_PROVIDER>PR4</PLACE_PROVIDER></EPISODE>"
)


def read(tmp_path: Path, *lines: str) -> tuple[list[RawTable], list[Issue]]:
    """The return of these lines, the declaration on line 1 and <EXPSSDA903> on line 2."""
    path = tmp_path / "return.xml"
    body = "\n".join(('<?xml version="1.0" encoding="UTF-8"?>', "<EXPSSDA903>", *lines))
    path.write_text(body + "\n</EXPSSDA903>\n")
    return read_tables(path)


def refusal(tmp_path: Path, *lines: str) -> tuple[int | None, str | None, str, str]:
    tables, issues = read(tmp_path, *lines)
    assert tables == []
    assert len(issues) == 1
    issue = issues[0]
    assert issue.source.endswith("return.xml")
    return issue.row, issue.column, issue.rule, issue.message


def column(tables: list[RawTable], name: str) -> list[str | None]:
    table = next(t for t in tables if name in t.header)
    values: list[str | None] = table.frame.get_column(f"col{table.header.index(name)}").to_list()
    return values


def test_a_dob_holding_an_element_and_given_twice_is_refused_at_the_second(
    tmp_path: Path,
) -> None:
    """2915: both DOBs read 01/02/2001 before their nested element; one was stored."""
    row, tag, rule, message = refusal(
        tmp_path,
        "<CHILD><HEADER><CHILDID>T02</CHILDID><SEX>2</SEX>",
        "<DOB>01/02/2001<X></X></DOB>",
        "<DOB>01/02/2001<DOLO_START>x</DOLO_START></DOB>",
        "<ETHNIC>WBRI</ETHNIC></HEADER></CHILD>",
    )
    assert (row, tag, rule) == (5, "DOB", "duplicate-field")
    assert message.endswith("remove one and export again")


def test_a_field_holding_an_element_is_refused_at_the_field(tmp_path: Path) -> None:
    """One DOB holding an element: its text is not all it says, so it is not read as a date."""
    row, tag, rule, message = refusal(
        tmp_path,
        "<CHILD><HEADER><CHILDID>T02</CHILDID><SEX>2</SEX>",
        "<DOB>01/02/2001<X>2018</X></DOB>",
        "<ETHNIC>WBRI</ETHNIC></HEADER></CHILD>",
    )
    assert (row, tag, rule) == (4, "DOB", "misplaced-element")
    assert message == (
        "<DOB> holds an element (<X>); a field holds only its value, so what DOB says cannot be "
        "told; write DOB's value alone and export again"
    )


def test_a_child_inside_another_childs_header_is_refused_at_the_inner_child(
    tmp_path: Path,
) -> None:
    """3968: the outer HEADER's own CHILDID (T02) followed the inner CHILD; it was stored."""
    row, tag, rule, message = refusal(
        tmp_path,
        "<CHILD><HEADER>",
        f"<CHILD><HEADER>{HEADER}</HEADER>{EPISODE}</CHILD>",
        "<CHILDID>T02</CHILDID><SEX>2</SEX><DOB>01/02/2001</DOB><ETHNIC>WBRI</ETHNIC>",
        f"</HEADER>{EPISODE}</CHILD>",
    )
    assert (row, tag, rule) == (4, "CHILD", "misplaced-element")
    assert message.startswith("<CHILD> sits inside <HEADER>; SSDA903 XML has every <CHILD>")


def test_an_episode_inside_a_field_is_refused_at_the_episode(tmp_path: Path) -> None:
    """4110: an EPISODE moved into ETHNIC, its PLACE_PROVIDER given twice and holding a UASC."""
    row, tag, rule, message = refusal(
        tmp_path,
        "<CHILD><HEADER><CHILDID>T02</CHILDID><SEX>2</SEX><DOB>01/02/2001</DOB>",
        "<ETHNIC>WBRI<EPISODE><DECOM>01/05/2017</DECOM><PL>K2</PL>",
        "<PLACE_PROVIDER>PR4<UASC>sgo</UASC></PLACE_PROVIDER>",
        "<PLACE_PROVIDER>PR4</PLACE_PROVIDER></EPISODE></ETHNIC>",
        "</HEADER></CHILD>",
    )
    assert (row, tag, rule) == (4, "EPISODE", "misplaced-element")
    assert message == (
        "<EPISODE> sits inside <ETHNIC>; SSDA903 XML has it directly inside a <CHILD>, so whose "
        "episode this is cannot be told; move it into its child's <CHILD> and export again"
    )


def test_a_place_provider_holding_an_element_is_refused(tmp_path: Path) -> None:
    """4110's PLACE_PROVIDER in its own EPISODE: PR4 then a UASC element; PR4 was stored."""
    row, tag, rule, _ = refusal(
        tmp_path,
        f"<CHILD><HEADER>{HEADER}</HEADER>",
        "<EPISODE><DECOM>01/05/2018</DECOM><PL>U4</PL>",
        "<PLACE_PROVIDER>PR4<UASC>sgo</UASC></PLACE_PROVIDER></EPISODE></CHILD>",
    )
    assert (row, tag, rule) == (5, "PLACE_PROVIDER", "misplaced-element")


def test_a_pl_holding_an_element_and_given_twice_is_refused_at_the_second(
    tmp_path: Path,
) -> None:
    """8365: <PL>U4<X>…</X></PL><PL>U4</PL> stored U4 where the file says two things."""
    row, tag, rule, _ = refusal(
        tmp_path,
        f"<CHILD><HEADER>{HEADER}</HEADER><EPISODE><DECOM>01/05/2018</DECOM>",
        "<PL>U4<X>2018-05-01 00:00:00</X></PL>",
        "<PL>U4</PL>",
        "</EPISODE></CHILD>",
    )
    assert (row, tag, rule) == (5, "PL", "duplicate-field")


def test_a_pl_and_a_place_in_one_episode_are_one_field_given_twice(tmp_path: Path) -> None:
    """PL is the CSV form's PLACE: given both, the PL would have won without a word."""
    row, tag, rule, _ = refusal(
        tmp_path,
        f"<CHILD><HEADER>{HEADER}</HEADER><EPISODE><DECOM>01/05/2018</DECOM>",
        "<PLACE>K2</PLACE>",
        "<PL>U4</PL>",
        "</EPISODE></CHILD>",
    )
    assert (row, tag, rule) == (5, "PL", "duplicate-field")


def test_a_upn_holding_an_element_is_refused_not_stored_empty(tmp_path: Path) -> None:
    """7176: `<UPN><?pi x?>A123456789012<DOLO_START> x </DOLO_START></UPN>` was stored empty
    (lxml's text stopped at the instruction) and the UPN read as a DoLO record."""
    row, tag, rule, _ = refusal(
        tmp_path,
        "<CHILD><HEADER><CHILDID>T01</CHILDID><SEX>1</SEX><DOB>01/01/2008</DOB>",
        "<UPN><?pi x?>A123456789012<DOLO_START> x </DOLO_START></UPN>",
        f"</HEADER>{EPISODE}</CHILD>",
    )
    assert (row, tag, rule) == (4, "UPN", "misplaced-element")


@pytest.mark.parametrize(
    "upn",
    [
        "<?pi x?>A123456789012",
        "<!-- checked -->A123456789012",
        "A123<!-- x -->456789012",
        "<![CDATA[A123456789012]]>",
        "A123<![CDATA[4567]]>89012",
        "<![CDATA[]]>A123456789012",
    ],
)
def test_a_upn_split_by_a_comment_instruction_or_cdata_is_read_as_its_text(
    tmp_path: Path, upn: str
) -> None:
    """A comment or processing instruction is a note, not part of the value; CDATA is a way of
    writing text. A finance officer opening the file sees A123456789012, so that is stored."""
    tables, issues = read(
        tmp_path,
        f"<CHILD><HEADER>{HEADER}<UPN>{upn}</UPN></HEADER>{EPISODE}</CHILD>",
    )
    assert issues == []
    assert column(tables, "UPN") == ["A123456789012"]


@pytest.mark.parametrize(
    ("lines", "row", "tag"),
    [
        # an episode field outside an EPISODE: in the HEADER, or in the CHILD itself
        (
            (f"<CHILD><HEADER>{HEADER}", "<DECOM>01/05/2018</DECOM>", "</HEADER></CHILD>"),
            4,
            "DECOM",
        ),
        ((f"<CHILD><HEADER>{HEADER}</HEADER>", "<PL>U4</PL>", f"{EPISODE}</CHILD>"), 4, "PL"),
        # a field wrapped in an element that is not a record
        (
            (
                f"<CHILD><HEADER>{HEADER}</HEADER><EPISODE>",
                "<W><PL>U4</PL></W>",
                "</EPISODE></CHILD>",
            ),
            4,
            "PL",
        ),
        # CHILDID belongs to HEADER: an episode's own would override its child's
        (
            (
                f"<CHILD><HEADER>{HEADER}</HEADER><EPISODE>",
                "<CHILDID>T09</CHILDID>",
                "<DECOM>01/05/2018</DECOM></EPISODE></CHILD>",
            ),
            4,
            "CHILDID",
        ),
    ],
)
def test_a_field_outside_its_record_is_refused_at_the_field(
    tmp_path: Path, lines: tuple[str, ...], row: int, tag: str
) -> None:
    found_row, found_tag, rule, message = refusal(tmp_path, *lines)
    assert (found_row, found_tag, rule) == (row, tag, "misplaced-element")
    assert message.endswith("move it there and export again")


def test_an_episode_outside_any_child_is_refused_not_given_the_next_childs_id(
    tmp_path: Path,
) -> None:
    row, tag, rule, _ = refusal(
        tmp_path,
        EPISODE,
        f"<CHILD><HEADER>{HEADER}</HEADER>{EPISODE}</CHILD>",
    )
    assert (row, tag, rule) == (3, "EPISODE", "misplaced-element")


def test_a_second_header_in_a_child_is_refused(tmp_path: Path) -> None:
    row, tag, rule, _ = refusal(
        tmp_path,
        f"<CHILD><HEADER>{HEADER}</HEADER>",
        f"<HEADER>{HEADER.replace('T01', 'T02')}</HEADER>{EPISODE}</CHILD>",
    )
    assert (row, tag, rule) == (4, "HEADER", "misplaced-element")


def test_a_well_formed_return_is_read_exactly(tmp_path: Path) -> None:
    """The structure checks refuse nothing DfE's form allows: nested records, a DoLO record in
    HEADER, a social-worker episode beside the EPISODEs."""
    tables, issues = read(
        tmp_path,
        f"<CHILD><HEADER>{HEADER}<UPN>A123456789012</UPN>",
        "<AREVIEW><REVIEW>01/06/2018</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>",
        "<AREVIEW><REVIEW>01/09/2018</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>",
        "<DOLO><DOLO_START>01/06/2018</DOLO_START></DOLO></HEADER>",
        EPISODE,
        "<SW_EPISODE><SW_ID>SW01</SW_ID><SW_DECOM>01/05/2018</SW_DECOM></SW_EPISODE></CHILD>",
    )
    assert issues == []
    assert column(tables, "UPN") == ["A123456789012"]
    assert column(tables, "PLACE") == ["U4"]
    assert column(tables, "REVIEW") == ["01/06/2018", "01/09/2018"]
    assert column(tables, "DOLO_START") == ["01/06/2018"]
    assert column(tables, "SW_ID") == ["SW01"]
