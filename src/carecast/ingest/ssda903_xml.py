"""DfE's SSDA903 XML form → one RawTable per DfE table, with the CSV form's column names.

The file is `EXPSSDA903` holding a `CHILD` element per child: a `HEADER` (CHILDID, SEX, DOB, …,
the UASC, OC3 and AD1 fields, and nested AREVIEW, AMISSING, OC2, PERMANENCE, AD_PLACED records)
and the child's `EPISODE`s (PL is the CSV form's PLACE). A record's row is the line of its element
(formats.md), so a problem is found by opening the file at that line. lxml's iterparse stops only at
record elements, and each child is dropped from memory once read.

The tables DfE added in 2023-24 — social-worker episodes (SW_ID, SW_DECOM, SW_DEC, SW_REASON) and
deprivation-of-liberty orders (DOLO_START, DOLO_END) — are recognised by their fields rather than by
the record's tag: the record is whatever element holds one of those fields, so an export that names
the element differently (or nests it under HEADER) is still read.

An element where the form does not put it (a CHILD inside a HEADER, a field holding elements or
outside its record, a field given twice) is refused at its line: xml_structure.py says why.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from lxml import etree

from carecast.errors import Issue
from carecast.ingest.columns import ROW
from carecast.ingest.datasets import BY_NAME
from carecast.ingest.reading import RawTable
from carecast.ingest.reading_limits import MAX_ROWS, too_large
from carecast.ingest.table_checks import BOM, Suspects, cell_problems, suspects_in
from carecast.ingest.xml_checks import Refused, Stray, refuse_depth, refuse_dtd, size_problems
from carecast.ingest.xml_structure import (
    Places,
    local,
    refuse_misplaced,
    refuse_outside_child,
    refuse_repeated,
)

RENAMED = {"CHILDID": "CHILD", "PL": "PLACE"}


def _csv_columns(dataset: str) -> tuple[str, ...]:
    """The columns of a table as its CSV form spells them: the XML reader yields the same table."""
    spec = BY_NAME[dataset]
    return spec.required + tuple(c.name for c in spec.optional)


@dataclass(frozen=True)
class XmlTable:
    """One DfE table in the XML form: where its records are and which columns it has."""

    name: str  # the CSV form's table (and carecast dataset without the ssda903_ prefix)
    columns: tuple[str, ...]
    element: str | None = None  # the record element; None: fields of HEADER, when `marker` is set
    marker: str | None = None  # for HEADER-level tables: the field whose presence makes a record
    # For tables found by their fields: the element holding any of these fields is a record.
    fields: tuple[str, ...] = ()


TABLES: tuple[XmlTable, ...] = (
    XmlTable("header", _csv_columns("ssda903_header"), element="HEADER"),
    XmlTable(
        "episodes",
        _csv_columns("ssda903_episodes"),
        element="EPISODE",
    ),
    XmlTable("uasc", ("CHILD", "SEX", "DOB", "DUC"), marker="UASC"),
    XmlTable("oc3", ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"), marker="IN_TOUCH"),
    XmlTable(
        "ad1",
        (
            "CHILD",
            "DOB",
            "DATE_INT",
            "DATE_MATCH",
            "FOSTER_CARE",
            "NB_ADOPTR",
            "SEX_ADOPTR",
            "LS_ADOPTR",
        ),
        marker="DATE_INT",
    ),
    XmlTable("reviews", ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"), element="AREVIEW"),
    XmlTable("missing", ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"), element="AMISSING"),
    XmlTable(
        "oc2",
        (
            "CHILD",
            "DOB",
            "SDQ_SCORE",
            "SDQ_REASON",
            "CONVICTED",
            "HEALTH_CHECK",
            "IMMUNISATIONS",
            "TEETH_CHECK",
            "HEALTH_ASSESSMENT",
            "SUBSTANCE_MISUSE",
            "INTERVENTION_RECEIVED",
            "INTERVENTION_OFFERED",
        ),
        element="OC2",
    ),
    XmlTable(
        "previous_permanence",
        ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
        element="PERMANENCE",
    ),
    XmlTable(
        "placed_for_adoption",
        ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
        element="AD_PLACED",
    ),
    XmlTable(
        "sw_episodes",
        _csv_columns("ssda903_sw_episodes"),
        fields=("SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
    ),
    XmlTable("dolo", _csv_columns("ssda903_dolo"), fields=("DOLO_START", "DOLO_END")),
)
_BY_ELEMENT = {t.element: t for t in TABLES if t.element}
_HEADER_LEVEL = tuple(t for t in TABLES if t.marker)
_BY_FIELD = {f: t for t in TABLES for f in t.fields}


@dataclass
class _Collected:
    """Records read so far: per table, one list of cells per record, and the records' rows."""

    records: dict[str, list[list[str | None]]] = field(default_factory=dict)
    rows: dict[str, list[int]] = field(default_factory=dict)

    def add(self, table: XmlTable, values: dict[str, str | None], line: int) -> None:
        self.records.setdefault(table.name, []).append([values.get(c) for c in table.columns])
        self.rows.setdefault(table.name, []).append(line)

    def count(self, table: str) -> int:
        return len(self.rows.get(table, ()))

    def fill(self, table: XmlTable, column: str, since: int, value: str | None) -> None:
        """Give the records added since `since` the child's CHILD or DOB (known only later)."""
        position = table.columns.index(column)
        for record in self.records.get(table.name, [])[since:]:
            if record[position] is None:
                record[position] = value


def _places() -> Places:
    """Which fields each record holds, as the XML spells them. CHILDID and DOB belong to HEADER
    alone: every other record takes them from its child's HEADER."""
    spelled = {canonical: tag for tag, canonical in RENAMED.items()}

    def xml(tables: tuple[XmlTable, ...], *, own: bool) -> frozenset[str]:
        names = {spelled.get(c, c) for t in tables for c in t.columns}
        names |= {t.marker for t in tables if t.marker}
        return frozenset(names if own else names - {"CHILDID", "DOB"})

    by_record = {"HEADER": xml((TABLES[0], *_HEADER_LEVEL), own=True)}
    for table in TABLES[1:]:
        if table.element:
            by_record[table.element] = xml((table,), own=False)
    by_marker = {f: xml((t,), own=False) for f, t in _BY_FIELD.items()}
    return Places(by_record, by_marker, RENAMED)


PLACES = _places()


def _leaves(element: etree._Element) -> Iterator[tuple[str, str | None, int]]:
    for child in element:
        if isinstance(child.tag, str) and not any(isinstance(i.tag, str) for i in child):
            tag = local(child.tag)
            yield RENAMED.get(tag, tag), child.text, child.sourceline or 0


def _fields(element: etree._Element, source: str) -> dict[str, str | None]:
    """A record's fields by CSV name: the hot path, one dict comprehension per record. (Comments
    and processing instructions are dropped by the parser, so a field's .text is all its text.)
    A field given twice is refused."""
    fields = {c.tag: c.text for c in element}
    if "}" in element.tag:  # namespaced: use local names
        fields = {local(t): v for t, v in fields.items()}
    if len(fields) < len(element) or ("PLACE" in fields and "PL" in fields):
        refuse_repeated(source, element, PLACES)  # a field twice, or nested records twice
    if "PL" in fields:
        fields["PLACE"] = fields["PL"]
    if "CHILDID" in fields:
        fields["CHILD"] = fields["CHILDID"]
    return fields


def read_ssda903_xml(path: Path, source: str | None = None) -> tuple[list[RawTable], list[Issue]]:
    """Every DfE table the file holds (tables with no record are left out).

    The file is refused, at its line, when it is beyond a limit, declares a DTD or is not XML
    (xml_checks.py); elements carrying no data are reported.
    """
    name = source or str(path)
    refused = size_problems(name, path.stat().st_size)
    if refused:
        return [], refused
    data = path.read_bytes()
    refused = size_problems(name, len(data), data)
    if refused:
        return [], refused
    digest = hashlib.sha256(data).hexdigest()
    collected = _Collected()
    stray = Stray(name)
    try:
        root = _read_records(data, name, collected, stray)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        reason = " ".join(str(exc.msg).split())  # libxml2's message may run over lines
        return [], [Issue(name, line, None, "bad-xml", f"not readable as XML: {reason}")]
    except Refused as exc:
        return [], [exc.issue]
    if root is None:
        message = "no CHILD elements: this is not DfE's SSDA903 XML (root EXPSSDA903)"
        return [], [Issue(name, 1, None, "unknown-table", message)]
    tables = [_table(name, digest, t, collected) for t in TABLES if collected.count(t.name)]
    issues = stray.issues(records=bool(tables))
    suspects = Suspects(
        nul=False, bom=BOM.encode() in data, error_value=suspects_in(data).error_value
    )
    for table in tables:
        issues += cell_problems(table, suspects)
    return tables, issues


def _read_records(
    data: bytes, name: str, collected: _Collected, stray: Stray
) -> etree._Element | None:
    """Read every record into `collected`; the root element, or None when no CHILD was found."""
    record_tags = [f"{{*}}{tag}" for tag in (*_BY_ELEMENT, *_BY_FIELD, "CHILD")]
    starts = {t.name: 0 for t in TABLES}
    # Records found by a field: their element is complete only once its CHILD has ended.
    pending: dict[etree._Element, XmlTable] = {}
    root: etree._Element | None = None
    context = etree.iterparse(
        io.BytesIO(data),
        events=("end",),
        tag=record_tags,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        # A comment or processing instruction inside a field is a note to whoever reads the
        # file, not part of its value: dropped, the text either side joins, so
        # `<UPN><!-- checked -->A123…</UPN>` is A123… as any XML viewer shows it. CDATA is a
        # way of writing text, so its text is kept (lxml's strip_cdata default).
        remove_comments=True,
        remove_pis=True,
    )
    first = True
    for _event, element in context:
        if first:
            refuse_dtd(name, element)
            first = False
        tag = local(element.tag)
        if tag in _BY_FIELD:
            holder = element.getparent()
            if holder is not None:
                refuse_outside_child(name, holder)
                pending.setdefault(holder, _BY_FIELD[tag])
            continue
        if tag == "CHILD":
            refuse_depth(name, element)
            refuse_misplaced(name, element, PLACES)
            stray.note_child(element)
            for holder, table in pending.items():
                collected.add(table, _fields(holder, name), holder.sourceline or 0)
            pending.clear()
            root = element.getparent() if element.getparent() is not None else element
            _end_child(element, collected, starts, stray)
            continue
        table = _BY_ELEMENT[tag]
        refuse_outside_child(name, element)
        values = _fields(element, name)
        collected.add(table, values, element.sourceline or 0)
        if tag == "HEADER":
            _header_level(element, collected)
    if root is not None:
        for element in root:  # what follows the last CHILD
            stray.note_sibling(element, local(element.tag) if isinstance(element.tag, str) else "")
    for table in TABLES:
        if (count := collected.count(table.name)) > MAX_ROWS:
            what = f"the file holds {count:,} {table.name} records, more than {MAX_ROWS:,}"
            raise Refused(too_large(name, None, None, what, "export the return one year at a time"))
    return root


def _header_level(header: etree._Element, collected: _Collected) -> None:
    """UASC, OC3 and AD1 records are fields of HEADER; each starts at its marker field."""
    fields: dict[str, str | None] = {}
    lines: dict[str, int] = {}
    for column, text, line in _leaves(header):
        fields[column] = text
        lines[column] = line
    for table in _HEADER_LEVEL:
        marker = table.marker or ""
        if fields.get(marker) is not None:
            collected.add(table, fields, lines[marker])


def _end_child(
    child: etree._Element, collected: _Collected, starts: dict[str, int], stray: Stray
) -> None:
    header = next((e for e in child if isinstance(e.tag, str) and local(e.tag) == "HEADER"), None)
    identifier = header.findtext("{*}CHILDID") if header is not None else None
    birth = header.findtext("{*}DOB") if header is not None else None
    for table in TABLES:
        since = starts[table.name]
        if since == collected.count(table.name):
            continue
        collected.fill(table, "CHILD", since, identifier)
        if "DOB" in table.columns:
            collected.fill(table, "DOB", since, birth)
        starts[table.name] = collected.count(table.name)
    # Free what has been read: the element and any earlier siblings still attached to the root.
    child.clear(keep_tail=False)
    parent = child.getparent()
    if parent is not None:
        while child.getprevious() is not None:
            earlier = parent[0]
            name = local(earlier.tag)
            if name != "CHILD":
                refuse_depth(stray.source, earlier)
            stray.note_sibling(earlier, name)
            del parent[0]


def _table(source: str, digest: str, table: XmlTable, collected: _Collected) -> RawTable:
    names = [f"col{i}" for i in range(len(table.columns))]
    frame = pl.DataFrame(
        collected.records[table.name],
        schema=dict.fromkeys(names, pl.String),
        orient="row",
    ).with_columns(pl.Series(ROW, collected.rows[table.name], dtype=pl.Int64))
    # Each table is its own batch in the store, so each gets its own content digest.
    table_digest = hashlib.sha256(f"{digest}:{table.name}".encode()).hexdigest()
    # Problems name a column as the XML spells it (PL, CHILDID), per formats.md.
    spelled = {canonical: tag for tag, canonical in RENAMED.items()}
    original = tuple(spelled.get(c, c) for c in table.columns)
    return RawTable(source, table_digest, table.columns, frame, original=original)
