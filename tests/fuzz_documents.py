"""Hostile workbooks and SSDA903 XML: the document formats' families of fuzz_inputs.

A workbook is built with openpyxl from a CSV seed (after the CSV mutations), its cells written as
Excel would hold them — numbers as numbers, dates as dates or serial numbers, some as text, some
as booleans, formulas or error cells — then, for some inputs, its zip is damaged: a part dropped,
cut short, flipped, replaced by XML that is not well formed, declares a DTD or nests deep. The
XML family edits DfE's form as a tree (fields set to hostile values, records duplicated, moved
out of their child, deleted, wrapped deep, namespaced) and then, for some inputs, as bytes.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from copy import deepcopy
from datetime import date, datetime
from xml.etree import ElementTree as ET

import openpyxl
from openpyxl.utils.exceptions import IllegalCharacterError

from tests.fuzz_inputs import (
    BYTE_MUTATIONS,
    CSV_SEEDS,
    XLSX_TABLES,
    XML_SEED,
    Case,
    cell_value,
    mutate_text,
    parse_rows,
)

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_UK = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
EXCEL_EPOCH = date(1899, 12, 30)


def _as_date(text: str) -> date | None:
    for pattern, order in ((_ISO, (1, 2, 3)), (_UK, (3, 2, 1))):
        found = pattern.match(text)
        if found:
            year, month, day = (int(found.group(i)) for i in order)
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def _typed(rng: random.Random, text: str) -> object:
    """The cell as Excel might hold it: a number, a date, a serial number, text or worse."""
    roll = rng.random()
    if roll < 0.004:
        return rng.choice((True, 1e20, 910.123, 0.1 + 0.2, -0.0, 12345678901234567, "=1/0"))
    if roll < 0.006:
        return datetime(2018, 5, 1, 12, 30)
    stripped = text.strip()
    if _NUMBER.match(stripped) and roll < 0.7:
        number = float(stripped)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    day = _as_date(stripped)
    if day is not None and roll < 0.5:
        return datetime(day.year, day.month, day.day)
    if day is not None and roll < 0.65:
        return (day - EXCEL_EPOCH).days  # a serial number in a cell left as General
    return text


STAMP = (2018, 9, 30, 0, 0, 0)  # every part's date in the zip: the same bytes on every run
_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _part(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, STAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def frozen(data: bytes) -> bytes:
    """The workbook openpyxl saved, without the times it wrote (now, in the zip and in
    docProps/core.xml), so that the same seed gives the same bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as book,
        zipfile.ZipFile(out, "w") as fixed,
    ):
        for info in book.infolist():
            content = book.read(info)
            if info.filename == "docProps/core.xml":
                content = _TIMES.sub(rb"\g<1>2018-09-30T00:00:00Z\g<2>", content)
            fixed.writestr(_part(info.filename), content)
    return out.getvalue()


def build_workbook(rng: random.Random, rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = rng.choice(("Sheet1", "Service Agreements", "Données", "a" * 31))
    if rng.random() < 0.08:
        first = book.create_sheet("Notes", 0)
        first.append(["notes", "nothing here"])
    for number, row in enumerate(rows, start=1):
        for column, text in enumerate(row, start=1):
            value = text if number == 1 else _typed(rng, text)
            try:
                sheet.cell(number, column, value)
            except (IllegalCharacterError, ValueError):
                sheet.cell(number, column, "?")
    out = io.BytesIO()
    book.save(out)
    return frozen(out.getvalue())


def build_plain_workbook(text: str) -> bytes:
    """A workbook of the CSV's cells: numbers as numbers, dates as date cells, text as text."""
    rows = parse_rows(text.encode()) or []
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for number, row in enumerate(rows, start=1):
        for column, cell in enumerate(row, start=1):
            day = _as_date(cell)
            value: object = cell
            if number > 1 and _NUMBER.match(cell):
                value = float(cell) if "." in cell else int(cell)
            elif number > 1 and day is not None:
                value = datetime(day.year, day.month, day.day)
            sheet.cell(number, column, value)
    out = io.BytesIO()
    book.save(out)
    return frozen(out.getvalue())


def _xml_damage(rng: random.Random, part: bytes) -> tuple[bytes, str]:
    kind = rng.randrange(7)
    if kind == 0:
        return part[: rng.randrange(len(part) + 1)], "part_cut"
    if kind == 1:
        head = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>'
        return head + re.sub(rb"^<\?xml[^>]*\?>", b"", part), "part_dtd"
    if kind == 2:
        depth = rng.choice((20, 300, 3000))
        return part.replace(b"</", b"<d>" * depth + b"</d>" * depth + b"</", 1), "part_deep"
    if kind == 3:  # an error cell, or a cell whose type lies about its value
        cell = rng.choice(
            (
                b'<c r="B2" t="e"><v>#DIV/0!</v></c>',
                b'<c r="B2" t="s"><v>99999</v></c>',
                b'<c r="B2" t="n"><v>abc</v></c>',
                b'<c r="B2" t="b"><v>7</v></c>',
                b'<c r="ZZZZ9" t="str"><v>x</v></c>',
                b'<c r="B0"><v>1</v></c>',
            )
        )
        return re.sub(rb'<c r="B2"[^>]*?(/>|>.*?</c>)', cell, part, count=1), "part_cell"
    mutation = rng.choice(BYTE_MUTATIONS)
    return mutation(rng, part), f"part_{mutation.__name__}"


def damage_zip(rng: random.Random, data: bytes, applied: list[str]) -> bytes:
    """The workbook's zip damaged: one part changed or dropped, or the archive's bytes."""
    if rng.random() < 0.3:
        mutation = rng.choice(BYTE_MUTATIONS)
        applied.append(f"zip_{mutation.__name__}")
        return mutation(rng, data)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        parts = {info.filename: book.read(info) for info in book.infolist()}
    name = rng.choice(sorted(parts))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as damaged:
        for part, content in parts.items():
            if part != name:
                damaged.writestr(_part(part), content)
                continue
            roll = rng.random()
            if roll < 0.15:
                applied.append(f"drop:{name}")
                continue
            if roll < 0.25:
                applied.append(f"twice:{name}")
                damaged.writestr(_part(part), content)
                damaged.writestr(_part(part + "\x00x" if roll < 0.17 else part), content)
                continue
            changed, how = _xml_damage(rng, content)
            applied.append(f"{how}:{name}")
            damaged.writestr(_part(part), changed)
    return out.getvalue()


def xlsx_case(seed: int) -> Case:
    rng = random.Random(f"xlsx:{seed}")
    table = rng.choice(XLSX_TABLES)
    applied = [table]
    text = mutate_text(rng, CSV_SEEDS[table].encode(), applied, rng.choice((0, 1, 1, 2)))
    rows = parse_rows(text) or parse_rows(CSV_SEEDS[table].encode()) or []
    cells = [(r, c) for r in range(1, len(rows)) for c in range(len(rows[r]))]
    for r, c in rng.sample(cells, min(len(cells), rng.choice((0, 0, 1, 2)))):
        rows[r][c] = cell_value(rng, rows[r][c])
    data = build_workbook(rng, rows)
    if rng.random() < 0.35:
        data = damage_zip(rng, data, applied)
    return Case("xlsx", f"{table}.xlsx", data, None, tuple(applied))


# ---- SSDA903 XML ----------------------------------------------------------------------------


def _elements(root: ET.Element) -> list[tuple[ET.Element, ET.Element]]:
    """Every (parent, element) pair below the root."""
    return [(parent, child) for parent in root.iter() for child in parent]


def _edit_tree(rng: random.Random, root: ET.Element, applied: list[str]) -> None:
    pairs = _elements(root)
    parent, element = rng.choice(pairs)
    kind = rng.randrange(9)
    if kind <= 2 and len(element) == 0:
        element.text = cell_value(rng, element.text or "")
        applied.append(f"xml_value:{element.tag}")
    elif kind == 3:
        parent.remove(element)
        applied.append(f"xml_delete:{element.tag}")
    elif kind == 4:
        copy = deepcopy(element)
        if len(copy) == 0 and rng.random() < 0.5:
            copy.text = cell_value(rng, copy.text or "")
        parent.insert(list(parent).index(element) + 1, copy)
        applied.append(f"xml_twice:{element.tag}")
    elif kind == 5:
        parent.remove(element)
        target = rng.choice(list(root.iter()))
        target.insert(rng.randrange(len(target) + 1), element)
        applied.append(f"xml_move:{element.tag}")
    elif kind == 6:
        wrapper = ET.Element(rng.choice(("WRAP", "CHILD", "HEADER", "EPISODE")))
        index = list(parent).index(element)
        parent.remove(element)
        inner = wrapper
        for _ in range(rng.choice((1, 3, 20))):
            deeper = ET.SubElement(inner, "W")
            inner = deeper
        inner.append(element)
        parent.insert(index, wrapper)
        applied.append(f"xml_wrap:{element.tag}")
    elif kind == 7:
        extra = ET.SubElement(element, rng.choice(("NOTE", "SW_ID", "DOLO_START", "UASC", "X")))
        extra.text = cell_value(rng, "x")
        applied.append(f"xml_add:{element.tag}")
    else:
        element.set(rng.choice(("id", "xmlns:q", "x")), cell_value(rng, "1"))
        applied.append(f"xml_attribute:{element.tag}")


def _edit_text(rng: random.Random, data: bytes, applied: list[str]) -> bytes:
    kind = rng.randrange(6)
    if kind == 0:
        applied.append("xml_doctype")
        decl = b'<!DOCTYPE EXPSSDA903 [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>\n'
        return data.replace(b"<EXPSSDA903>", decl + b"<EXPSSDA903>", 1).replace(
            b"<ETHNIC>WBRI", b"<ETHNIC>&b;", 1
        )
    if kind == 1:
        applied.append("xml_namespace")
        return data.replace(b"<EXPSSDA903>", b'<EXPSSDA903 xmlns="urn:dfe:903">', 1)
    if kind == 2:
        applied.append("xml_empty_elements")
        many = b"<E/>" * rng.choice((10, 1000, 30000))
        return data.replace(b"</EXPSSDA903>", many + b"</EXPSSDA903>", 1)
    if kind == 3:
        field = rng.choice((b"SEX", b"ETHNIC", b"UPN", b"DECOM", b"PL"))
        applied.append(f"xml_comment_cdata:{field.decode()}")
        inside = rng.choice((b"<!-- x -->", b"<?pi x?>", b"<![CDATA[]]>"))
        return re.sub(b"<" + field + b">", b"<" + field + b">" + inside, data, count=1)
    if kind == 4:
        applied.append("xml_utf16")
        text = data.decode("utf-8", "replace").replace('encoding="UTF-8"', 'encoding="UTF-16"')
        return text.encode("utf-16")
    mutation = rng.choice(BYTE_MUTATIONS)
    applied.append(f"xml_{mutation.__name__}")
    return mutation(rng, data)


def xml_case(seed: int) -> Case:
    rng = random.Random(f"xml:{seed}")
    applied: list[str] = []
    root = ET.fromstring(XML_SEED)
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        _edit_tree(rng, root, applied)
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root)
    if rng.random() < 0.35:
        data = _edit_text(rng, data, applied)
    return Case("xml", "return.xml", data, None, tuple(applied))
