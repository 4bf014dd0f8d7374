"""Where SSDA903 XML puts each element, and the refusal of a return that puts one elsewhere.

DfE's form is `EXPSSDA903/CHILD/{HEADER, EPISODE, …}`: a CHILD sits in the root, its one HEADER
and its EPISODEs sit directly in it, and a field (CHILDID, DOB, PL …) sits in the record it
belongs to and holds only its value. A return that breaks this — a CHILD inside a HEADER, an
EPISODE inside a field, a DECOM outside any EPISODE, a DOB holding other elements, a field given
twice — does not say one value for each cell: any reading of it (the first DOB, the text before
the nested element, the next CHILD's identifier for an episode outside any CHILD) would store a
value the file does not plainly say. Such a return is refused at the element, naming the rule
and how to put it right (`misplaced-element`, `duplicate-field`), never read as something else.

Comments, processing instructions and CDATA inside a field are not structure: the reader
(ssda903_xml.py) drops the first two and keeps CDATA as text, so the value is the text a person
reading the file sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from carecast.errors import Issue
from carecast.ingest.xml_checks import Refused

RULE = "misplaced-element"


def local(tag: object) -> str:
    """An element's name without its namespace ('' for a comment or other non-element)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag


@dataclass(frozen=True)
class Places:
    """The fields each record holds: by its element (HEADER, EPISODE, AREVIEW …) and, for the
    records known by their fields (social-worker episodes, DoLOs), by any one of those fields."""

    by_record: Mapping[str, frozenset[str]]
    by_marker: Mapping[str, frozenset[str]]
    renamed: Mapping[str, str]  # the XML spelling → the CSV form's (CHILDID → CHILD, PL → PLACE)
    fields: frozenset[str] = field(init=False)  # every field of every record
    # The fields as lxml's iter() takes them, in any namespace: found in C, not in a Python loop.
    patterns: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        every = frozenset().union(*self.by_record.values(), *self.by_marker.values())
        object.__setattr__(self, "fields", every)
        object.__setattr__(self, "patterns", tuple(f"{{*}}{f}" for f in sorted(every)))

    def held_by(self, record: etree._Element) -> frozenset[str]:
        """The fields `record` may hold: its element's, and those of any record its fields mark."""
        held = self.by_record.get(local(record.tag), frozenset())
        for inner in record:
            marked = self.by_marker.get(local(inner.tag))
            if marked is not None:
                held |= marked
        return held

    def homes(self, name: str) -> str:
        """Where SSDA903 XML puts field `name`, for a message: `<HEADER>`, `<EPISODE>` …"""
        records = sorted(r for r, held in self.by_record.items() if name in held)
        if name in self.by_marker or not records:
            return "the record it belongs to"
        return " or ".join(f"<{r}>" for r in records)


def _refuse(source: str, element: etree._Element, message: str) -> Refused:
    return Refused(Issue(source, element.sourceline, local(element.tag), RULE, message))


def refuse_outside_child(source: str, record: etree._Element) -> None:
    """Raise Refused when a record is not inside a CHILD (a HEADER or EPISODE: not directly in
    one): whose record it is cannot be told, and read on it would take the next CHILD's
    identifier."""
    tag = local(record.tag)
    parent = record.getparent()
    if tag in ("HEADER", "EPISODE"):
        if parent is not None and local(parent.tag) == "CHILD":
            return  # the usual place, found at once
        where = f"inside <{local(parent.tag)}>" if parent is not None else "alone"
        message = (
            f"<{tag}> sits {where}; SSDA903 XML has it directly inside a <CHILD>, so whose "
            f"{tag.lower()} this is cannot be told; move it into its child's <CHILD> and export again"
        )
        raise _refuse(source, record, message)
    if any(local(a.tag) == "CHILD" for a in record.iterancestors()) or tag == "CHILD":
        return
    message = (
        f"<{tag}> sits outside any <CHILD>, so whose record this is cannot be told; "
        "move it into its child's <CHILD> and export again"
    )
    raise _refuse(source, record, message)


def refuse_misplaced(source: str, child: etree._Element, places: Places) -> None:
    """Raise Refused at the first element of a CHILD that is not where SSDA903 XML puts it."""
    parent = child.getparent()
    if parent is not None and parent.getparent() is not None:
        message = (
            f"<CHILD> sits inside <{local(parent.tag)}>; SSDA903 XML has every <CHILD> directly "
            "inside the root <EXPSSDA903>, so which child's fields are which cannot be told; "
            "close the enclosing element before this <CHILD> and export again"
        )
        raise _refuse(source, child, message)
    headers = list(child.iterchildren("{*}HEADER"))
    if len(headers) > 1:
        message = (
            "a second <HEADER> in this <CHILD>: a child has one, so which identifier and date of "
            "birth its records have cannot be told; merge them into one and export again"
        )
        raise _refuse(source, headers[1], message)
    held: dict[etree._Element, frozenset[str]] = {}
    for element in child.iter(*places.patterns):
        tag = local(element.tag)
        inner = next((e for e in element if isinstance(e.tag, str)), None) if len(element) else None
        if inner is not None:
            message = (
                f"<{tag}> holds an element (<{local(inner.tag)}>); a field holds only its value, "
                f"so what {tag} says cannot be told; write {tag}'s value alone and export again"
            )
            raise _refuse(source, element, message)
        record = element.getparent()
        if record is None:
            continue
        fits = held.get(record)
        if fits is None:  # most fields: their record's element says they belong there
            fits = held[record] = places.by_record.get(local(record.tag), frozenset())
        if tag not in fits:  # or a social-worker or DoLO field marks the record as theirs
            fits = held[record] = places.held_by(record)
        if tag not in fits:
            message = (
                f"<{tag}> sits inside <{local(record.tag)}>; SSDA903 XML has it inside "
                f"{places.homes(tag)}, so which record's {tag} it is cannot be told; move it "
                "there and export again"
            )
            raise _refuse(source, element, message)


def refuse_repeated(source: str, record: etree._Element, places: Places) -> None:
    """Raise Refused when a field of the record is given twice (CHILDID and CHILD, PL and PLACE
    count as one): which value is meant cannot be told (read as a dictionary, the last would win
    without a word). Nested records (a child has many AREVIEWs) are not fields."""
    fields = places.fields
    seen: set[str] = set()
    for element in record:
        tag = local(element.tag)
        if not tag or (tag not in fields and any(isinstance(i.tag, str) for i in element)):
            continue
        name = places.renamed.get(tag, tag)
        if name in seen:
            message = (
                f"<{tag}> is given twice in this <{local(record.tag)}>: carecast cannot tell "
                "which value is meant; remove one and export again"
            )
            raise Refused(Issue(source, element.sourceline, tag, "duplicate-field", message))
        seen.add(name)
