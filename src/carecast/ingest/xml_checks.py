"""What SSDA903 XML may not do before or while it is read: limits, DTDs, elements carrying nothing.

lxml is run with entities unresolved, no DTD loaded and no network; a file declaring a DTD is still
refused outright, because an unresolved entity reads as an empty value (`<CHILDID>&a;</CHILDID>`
would give a child with no identifier): the value in the file would not be the value stored. The
size and element count are checked on the bytes before parsing, the depth per CHILD as it ends.

Elements that carry no data — an empty CHILD, or an element that is not part of the form beside
the CHILDs — are reported as located warnings, and a file whose CHILDs all carry nothing is an
error: nothing would be imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from carecast.errors import Issue, Severity
from carecast.ingest.reading_limits import (
    MAX_FILE_BYTES,
    MAX_XML_DEPTH,
    MAX_XML_ELEMENTS,
    mib,
    too_large,
)
from carecast.ingest.table_checks import SHOWN


class Refused(Exception):
    """The file cannot be read on: `issue` says where and why."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def size_problems(source: str, size: int, data: bytes | None = None) -> list[Issue]:
    """The file's size (before reading) and, given its bytes, its element count."""
    if size > MAX_FILE_BYTES:
        what = f"the file is {mib(size)}, more than {mib(MAX_FILE_BYTES)}"
        return [too_large(source, None, None, what, "export the return one year at a time")]
    if data is not None:
        # Every element has one start tag; '</' begins only end tags (comments and CDATA aside).
        elements = data.count(b"<") - data.count(b"</")
        if elements > MAX_XML_ELEMENTS:
            what = f"the file holds about {elements:,} elements, more than {MAX_XML_ELEMENTS:,}"
            return [too_large(source, None, None, what, "export the return one year at a time")]
    return []


def refuse_dtd(source: str, element: etree._Element) -> None:
    """Raise Refused when the document declares a DTD (checked at its first record)."""
    if element.getroottree().docinfo.doctype:
        message = (
            "the file declares a DTD (<!DOCTYPE …>), which DfE's SSDA903 XML never has: its "
            "entities could stand for values that are not in the file; export the return again"
        )
        raise Refused(Issue(source, 1, None, "bad-xml", message))


def refuse_depth(source: str, element: etree._Element) -> None:
    """Raise Refused when elements nest deeper than MAX_XML_DEPTH inside `element`."""
    depth = 1 + sum(1 for _ in element.iterancestors())
    below = MAX_XML_DEPTH - depth
    if below < 1 or element.xpath(f"boolean({'/'.join(['*'] * below)})"):
        what = f"elements here nest more than {MAX_XML_DEPTH} deep"
        fix = (
            "SSDA903 XML nests five deep (EXPSSDA903/CHILD/HEADER/AREVIEW/REVIEW); export it again"
        )
        raise Refused(too_large(source, element.sourceline, None, what, fix))


@dataclass
class Stray:
    """Lines of CHILD elements carrying no data and of elements that are not part of the form."""

    source: str
    empty: list[int] = field(default_factory=list)
    unknown: list[tuple[int, str]] = field(default_factory=list)

    def note_child(self, child: etree._Element) -> None:
        if not child.xpath("boolean(.//*[normalize-space(text())])"):
            self.empty.append(child.sourceline or 0)

    def note_sibling(self, element: etree._Element, local: str) -> None:
        """An element beside the CHILDs: noted unless it is a CHILD (or a comment)."""
        if isinstance(element.tag, str) and local != "CHILD":
            self.unknown.append((element.sourceline or 0, local))

    def issues(self, *, records: bool) -> list[Issue]:
        source = self.source
        issues: list[Issue] = []
        empty = "this CHILD element carries no data (no HEADER, no EPISODE): it is ignored"
        issues += _listed(source, "empty-element", [(line, empty) for line in self.empty])
        stray = [
            (
                line,
                f"<{tag}> is not part of SSDA903 XML (only CHILD elements sit under the root): "
                "it is ignored",
            )
            for line, tag in self.unknown
        ]
        issues += _listed(source, "stray-element", stray)
        if not records and self.empty:
            message = (
                f"the file's {len(self.empty):,} CHILD elements carry no data: there is nothing "
                "to import; check the export"
            )
            issues.append(Issue(source, self.empty[0], None, "no-records", message))
        return issues


def _listed(source: str, rule: str, found: list[tuple[int, str]]) -> list[Issue]:
    issues = [
        Issue(source, line, None, rule, message, Severity.WARNING)
        for line, message in found[:SHOWN]
    ]
    if len(found) > SHOWN:
        more = f"{len(found) - SHOWN:,} more elements like these (up to line {found[-1][0]:,})"
        issues.append(Issue(source, None, None, rule, more, Severity.WARNING))
    return issues
