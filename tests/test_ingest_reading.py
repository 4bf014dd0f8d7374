"""Reading CSV as councils save it: the fast path through polars, and when cells need trimming."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from carecast.ingest.reading import may_need_trimming, parse_csv_bytes, read_csv_file, text_facts

CELL = st.text(alphabet=st.sampled_from(list('ab1/ ,"\t\u00a0£-')), max_size=6)


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([["A", "B", "C"], *rows])
    return out.getvalue().encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=8))
def test_a_file_said_to_need_no_trimming_has_no_cell_with_surrounding_spaces(
    rows: list[list[str]],
) -> None:
    data = _csv(rows)
    facts = text_facts(data)
    assert facts.trimmed is (data.isascii() and not may_need_trimming(data))
    if not facts.trimmed:
        return
    table, issues = parse_csv_bytes(data, "f.csv", "")
    assert table is not None
    assert issues == []
    for column in ("col0", "col1", "col2"):
        for cell in table.frame.get_column(column).to_list():
            assert cell is None or cell == cell.strip()


def test_spaces_inside_values_need_no_trimming_but_at_their_edges_do() -> None:
    assert not may_need_trimming(b"CHILD,HOME_POST\r\nC1,NW10 7\r\nC2,E1 6\r\n")
    assert may_need_trimming(b"CHILD,HOME_POST\r\nC1, NW10 7\r\n")
    assert may_need_trimming(b"CHILD,HOME_POST\r\nC1,NW10 7 \r\n")
    assert may_need_trimming(b'CHILD,HOME_POST\r\nC1," NW10"\r\n')
    assert may_need_trimming(b"CHILD,HOME_POST\nC1,\tNW10\n")
    assert may_need_trimming("CHILD,NAME\nC1,\u00a0Ann\n".encode())  # a Unicode space


def test_a_file_without_lower_case_letters_needs_no_upper_casing(tmp_path: Path) -> None:
    from carecast.ingest.datasets import BY_NAME
    from carecast.ingest.typed import type_table

    assert text_facts(b"CHILD,PLACE\nC1,U4\n").upper
    assert not text_facts(b"CHILD,PLACE\nC1,u4\n").upper
    assert not text_facts("CHILD,PLACE\nC1,é4\n".encode()).upper  # not ASCII: always cased
    path = tmp_path / "e.csv"
    path.write_text("CHILD,DECOM,RNE,LS,CIN,PLACE\nc1,01/05/2018,s,c2,n1,u4\n")
    table, _ = read_csv_file(path)
    assert table is not None
    assert not table.upper
    typed, _ = type_table(table, BY_NAME["ssda903_episodes"])
    assert typed.row(0, named=True)["PLACE"] == "U4"
    assert typed.row(0, named=True)["CHILD"] == "c1"  # identifiers keep their case


def test_untrimmed_cells_are_trimmed_and_empty_ones_are_null(tmp_path: Path) -> None:
    from carecast.ingest.datasets import BY_NAME
    from carecast.ingest.typed import type_table

    path = tmp_path / "h.csv"
    path.write_bytes(b'CHILD,SEX,DOB,ETHNIC\r\n A1 ,1,01/02/2010,""\r\nB2,2, 03/04/2011 ,WBRI\r\n')
    table, _ = read_csv_file(path)
    assert table is not None
    assert not table.trimmed
    typed, issues = type_table(table, BY_NAME["ssda903_header"])
    assert issues == []
    assert typed.get_column("CHILD").to_list() == ["A1", "B2"]
    assert typed.get_column("ETHNIC").to_list() == [None, "WBRI"]


def test_windows_1252_files_are_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes('COST_CENTRE,AMOUNT\r\nCC1,"£1,000"\r\n'.encode("cp1252"))
    table, issues = read_csv_file(path)
    assert table is not None
    assert [i.rule for i in issues] == ["encoding"]
    assert table.frame.get_column("col1").to_list() == ["£1,000"]
    assert len(table.sha256) == 64
