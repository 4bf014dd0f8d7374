"""What DfE's SSDA903 XML says, read with ElementTree: the children and episodes it holds.

A HEADER element anywhere is a child (its CHILDID, SEX, DOB, ETHNIC, UPN fields); an EPISODE
element anywhere is an episode of the CHILD element it sits in, whose HEADER names the child (PL
is the CSV form's PLACE). A record with a field given twice, or an episode outside a child, says
no single value: `UNREADABLE` stands for it, so storing anything for it is a difference.
"""

from __future__ import annotations

import re
from typing import Any

from defusedxml import ElementTree

from carecast.ingest.datasets import BY_NAME
from tests.fuzz_oracle import UNREADABLE, Expected, Unreadable, expected_rows

RENAMED = {"CHILDID": "CHILD", "PL": "PLACE"}


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _fields(element: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for child in element:
        name = RENAMED.get(_local(child.tag), _local(child.tag))
        fields[name] = UNREADABLE if name in fields else (child.text or "")
    return fields


def _parse(data: bytes) -> Any:
    """The root element; a byte-order mark says the encoding even when the declaration differs
    (as libxml2 reads it: the text is the same, so it says the same values)."""
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        for mark, codec in (
            (b"\xff\xfe", "utf-16"),
            (b"\xfe\xff", "utf-16"),
            (b"\xef\xbb\xbf", "utf-8-sig"),
        ):
            if data.startswith(mark):
                text = re.sub(r"^\s*<\?xml[^>]*\?>", "", data.decode(codec, "strict"))
                return ElementTree.fromstring(text)
        raise


def xml_tables(data: bytes) -> dict[str, Expected]:
    try:
        root = _parse(data)
    except Exception as exc:
        why = Unreadable(f"ElementTree: {type(exc).__name__}: {exc}")
        return {"ssda903_header": why, "ssda903_episodes": why}
    parents = {child: parent for parent in root.iter() for child in parent}
    headers: list[dict[str, Any]] = []
    episodes: list[dict[str, Any]] = []
    for element in root.iter():
        tag = _local(element.tag)
        if tag == "HEADER":
            headers.append(_fields(element))
        elif tag == "EPISODE":
            fields = _fields(element)
            fields["CHILD"] = _child_of(element, parents)
            episodes.append(fields)
    tables: dict[str, Expected] = {}
    for name, records in (("ssda903_header", headers), ("ssda903_episodes", episodes)):
        if records:
            dataset = BY_NAME[name]
            header = [s.name for s in (*dataset.columns, *dataset.optional)]
            tables[name] = _rows(dataset.name, header, records)
    return tables


def _child_of(element: Any, parents: dict[Any, Any]) -> Any:
    parent = parents.get(element)
    while parent is not None and _local(parent.tag) != "CHILD":
        parent = parents.get(parent)
    if parent is None:
        return UNREADABLE
    headers = [e for e in parent if _local(e.tag) == "HEADER"]
    if len(headers) != 1:
        return UNREADABLE
    ids = [e for e in headers[0] if _local(e.tag) == "CHILDID"]
    return (ids[0].text or "") if len(ids) == 1 else UNREADABLE


def _rows(dataset: str, header: list[str], records: list[dict[str, Any]]) -> Expected:
    """Rows as the CSV form's: an UNREADABLE field stays UNREADABLE whatever its column's kind."""
    spec = BY_NAME[dataset]
    texts = [["" if r.get(c) is UNREADABLE else (r.get(c) or "") for c in header] for r in records]
    expected = expected_rows(spec, header, texts)
    if isinstance(expected, Unreadable):
        return expected
    columns, rows = expected
    names = [s.name for s in (*spec.columns, *spec.optional)]
    marked = []
    for record, row in zip(records, rows, strict=True):
        marked.append(
            tuple(
                UNREADABLE if record.get(names[i]) is UNREADABLE else value
                for i, value in enumerate(row)
            )
        )
    return columns, marked
