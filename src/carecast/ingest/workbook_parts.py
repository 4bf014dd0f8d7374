"""An Excel workbook's zip checked before calamine reads it: sizes capped, streams and XML sound.

calamine (via fastexcel) reads fast but trusts the file: it holds a part of any size in memory (a
1 MB workbook carrying a 1 GiB shared-strings part took 3.3 GB), reads damaged XML leniently, and
reads Excel's error cells (#DIV/0!, #N/A) as blanks and a number through a float (999999999.99
as "999999999.99000001"). So each part calamine will read — the workbook
and its relationships, the shared strings, the styles and the chosen sheet — is first checked
here with Python's zipfile and expat: its declared size against the limit, then decompressed in
chunks, counting the bytes it really yields (a declared size can lie), checking its CRC, and
parsing it with expat, which refuses a DTD or entity declaration and any XML that is not well
formed. Error cells of the chosen sheet are noted on the way, and the digits its number cells
hold as written (xlsx_numbers.py shows them as Excel does). Nothing else is kept.
"""

from __future__ import annotations

import io
import lzma
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import IO
from xml.etree.ElementTree import Element, ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException, ElementTree

from carecast.ingest.reading_limits import (
    EXCEL_COLUMNS,
    EXCEL_ROWS,
    MAX_SHEET_CELLS,
    MAX_WORKBOOK_PARTS,
    MAX_WORKBOOK_XML_BYTES,
    mib,
)

CHUNK = 1024 * 1024
# What Python's zipfile raises on a damaged or unusual archive, besides BadZipFile: an unsupported
# version or compression method (NotImplementedError), an encrypted part (RuntimeError), a name
# that is not UTF-8 (UnicodeDecodeError), a header cut short (struct.error, EOFError), a corrupt
# stream (zlib.error, lzma.LZMAError, OSError) or a bad field (ValueError).
_ZIP_FAILURES = (
    zipfile.BadZipFile,
    NotImplementedError,
    RuntimeError,
    UnicodeDecodeError,
    struct.error,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    OSError,
    ValueError,
)
RESAVE = "open it in Excel and save it again as an Excel Workbook (.xlsx)"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# An error cell: `<c r="B7" t="e"><f>A1/0</f><v>#DIV/0!</v></c>` (or empty, `<c r="B7" t="e"/>`).
_ERROR_MARKS = (b't="e"', b"t='e'")
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_ERROR_TYPE = re.compile(rb"""\bt=["']e["']""")
_REFERENCE = re.compile(rb"""\br=["']([A-Z]{1,3})([0-9]{1,7})["']""")
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_CARRY = 64 * 1024  # bytes of an unfinished cell kept for the next chunk
# Where a cell may begin (`<c r=…`, not `<col`): a chunk is scanned up to the last one, so that no
# cell is cut in two (a cell can hold `/>` before its end: `<f t="shared" si="0"/>`).
_CELL_START = re.compile(rb"<c[\s>/]")
# A number cell's value as written, unless it is a whole number from 61 to 15 digits (a count, a
# date from 1 March 1900: calamine renders those as Excel shows them; a date cell before then,
# or a negative one, Excel shows wrongly or as ####). `<c r="D7" s="2"><v>910.5</v></c>`, a
# formula perhaps before its value; the type (none, or t="n") is checked after the match.
_NUMBER_CELL = re.compile(
    rb"<c\b([^>/]*)>\s*(?:<f\b[^>]*/>\s*|<f\b[^>]*>[^<]*</f>\s*)?"
    rb"<v>(?!\s*(?:[1-9][0-9]{2,14}|[7-9][0-9]|6[1-9])\s*</v>)([^<]{1,400})</v>"
)
_TYPE = re.compile(rb"""\bt=["']([A-Za-z]*)["']""")
# A cell reference past column Z, at row 100,000 or more, or at row 0: the only ones that can
# reach MAX_SHEET_CELLS or leave Excel's sheet (a row's own r="…" has no letters).
_FAR = re.compile(rb"""\br=["']([A-Z]{2,}[0-9]+|[A-Z]+[0-9]{6,}|[A-Z]+0+)["']""")
_SPLIT = re.compile(rb"([A-Z]+)([0-9]+)")


class Damaged(Exception):
    """The workbook cannot be read safely: `part` says where, `message` why and what to do."""

    def __init__(self, message: str, part: str | None = None, rule: str = "bad-xlsx") -> None:
        super().__init__(message)
        self.message = message
        self.part = part
        self.rule = rule


@dataclass(frozen=True)
class ErrorCell:
    """An Excel error cell of the chosen sheet: its column (0 for A), row and shown value."""

    column: int
    row: int
    value: str

    @property
    def letters(self) -> str:
        return column_letters(self.column)

    @property
    def reference(self) -> str:
        return f"{self.letters}{self.row}"


@dataclass
class Workbook:
    """A checked workbook: its zip, which part holds each sheet, and the bytes read so far."""

    archive: zipfile.ZipFile
    sheets: dict[str, str]  # sheet name → part
    read: int = 0
    error_cells: list[ErrorCell] = field(default_factory=list)
    # Per column (0 for A), the rows and written values of number cells that are not plain whole
    # numbers: columns of lists rather than a cell per object, as a ledger may hold a million.
    numbers: dict[int, tuple[list[int], list[str]]] = field(default_factory=dict)


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - ord("A") + 1
    return index - 1


def open_workbook(data: bytes) -> Workbook:
    """The workbook's zip with its own parts, styles and shared strings checked; raises Damaged."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_FAILURES as exc:
        raise Damaged(
            f"it cannot be opened as the zip archive every .xlsx file is ({exc}); an .xls or CSV "
            f"file renamed .xlsx is not one: {RESAVE}"
        ) from exc
    if len(archive.infolist()) > MAX_WORKBOOK_PARTS:
        raise Damaged(
            f"the workbook's zip holds {len(archive.infolist()):,} parts, more than "
            f"{MAX_WORKBOOK_PARTS:,} (carecast's limit): it is not one Excel wrote; {RESAVE}",
            rule="too-large",
        )
    book = Workbook(archive, {})
    main = _office_document(book)
    folder = posixpath.dirname(main)
    rels = posixpath.join(folder, "_rels", posixpath.basename(main) + ".rels")
    targets = {rel.get("Id"): rel for rel in _tree(book, rels).iter(_REL)}
    # calamine reads the shared strings and styles its relationships name, or at their usual place.
    shared = {
        _resolve(folder, rel.get("Target", ""))
        for rel in targets.values()
        if rel.get("Type", "").endswith(("/sharedStrings", "/styles"))
    }
    for part in sorted(shared | {"xl/sharedStrings.xml", "xl/styles.xml"}):
        if part in archive.NameToInfo:
            _read(book, part, keep=False)
    for sheet in _tree(book, main).iter(f"{_MAIN}sheet"):
        rel = targets.get(sheet.get(_R_ID))
        if rel is not None:
            book.sheets[sheet.get("name", "")] = _resolve(folder, rel.get("Target", ""))
    return book


def check_sheet(book: Workbook, name: str) -> list[ErrorCell]:
    """Check the part holding sheet `name` (raises Damaged) and return its error cells; its
    number cells' written values are left in `book.numbers`."""
    part = book.sheets.get(name)
    if part is None or part not in book.archive.NameToInfo:
        raise Damaged(f"the workbook lists sheet '{name}' but holds no part for it; {RESAVE}")
    book.error_cells = []
    book.numbers = {}
    try:
        _read(book, part, keep=False, errors=True)
    except Damaged as exc:
        raise Damaged(f"sheet '{name}': {exc.message}", part, exc.rule) from exc
    return book.error_cells


def _office_document(book: Workbook) -> str:
    """The workbook part, as the package's relationships name it (xl/workbook.xml in practice)."""
    main = "xl/workbook.xml"
    if "_rels/.rels" in book.archive.NameToInfo:
        for rel in _tree(book, "_rels/.rels").iter(_REL):
            if rel.get("Type", "").endswith("/officeDocument"):
                main = _resolve("", rel.get("Target", ""))
    if main not in book.archive.NameToInfo:
        raise Damaged(
            f"the workbook has no {main}, the part listing its sheets: it is damaged; {RESAVE}",
            main,
        )
    return main


def _tree(book: Workbook, part: str) -> Element:
    """A small part (the workbook, its relationships) as a tree, parsed by defusedxml."""
    data = _read(book, part)
    try:
        tree: Element = ElementTree.fromstring(data)
    except (ParseError, DefusedXmlException) as exc:  # expat has already refused both
        raise Damaged(f"{part} is not readable XML ({exc}); {RESAVE}", part) from exc
    return tree


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


def _read(book: Workbook, part: str, *, keep: bool = True, errors: bool = False) -> bytes:
    """A part's bytes (or b"" when not `keep`), checked as the module docstring says."""
    info = book.archive.NameToInfo.get(part)
    if info is None:
        raise Damaged(f"the workbook has no {part}: it is damaged; {RESAVE}", part)
    room = MAX_WORKBOOK_XML_BYTES - book.read
    if info.file_size > room:
        raise _too_large(part, info.file_size)
    parser = _parser(part)
    kept: list[bytes] = []
    carry = b""
    try:
        with book.archive.open(info) as stream:
            for chunk in _Chunks(stream, part, room):
                book.read += len(chunk)
                parser.Parse(chunk, False)
                if keep:
                    kept.append(chunk)
                if errors:
                    _refuse_far_cells(carry[-32:] + chunk, part)
                    carry = _scan_cells(carry + chunk, book)
            parser.Parse(b"", True)
            if errors:
                _scan_cells(carry, book, final=True)
    except expat.ExpatError as exc:
        where = f"line {exc.lineno:,}, column {exc.offset + 1:,}"
        message = f"{part} is not well-formed XML ({expat.errors.messages[exc.code]}, {where})"
        raise Damaged(f"{message}: the workbook is damaged; {RESAVE}", part) from exc
    except _ZIP_FAILURES as exc:
        raise Damaged(f"{part} is damaged in the zip ({exc}); {RESAVE}", part) from exc
    return b"".join(kept)


class _Chunks:
    """A part's decompressed bytes in chunks, refusing the part once it yields more than `room`."""

    def __init__(self, stream: IO[bytes], part: str, room: int) -> None:
        self.stream, self.part, self.room, self.total = stream, part, room, 0

    def __iter__(self) -> _Chunks:
        return self

    def __next__(self) -> bytes:
        chunk = self.stream.read(CHUNK)
        if not chunk:
            raise StopIteration
        self.total += len(chunk)
        if self.total > self.room:
            raise _too_large(self.part, self.total, declared=False)
        return chunk


def _too_large(part: str, size: int, *, declared: bool = True) -> Damaged:
    says = "says it holds" if declared else "holds more than"
    return Damaged(
        f"{part} {says} {mib(size)} of XML once decompressed, beyond the "
        f"{mib(MAX_WORKBOOK_XML_BYTES)} carecast reads from one workbook (carecast's limit); "
        "save the sheet carecast needs in a workbook of its own, or as CSV UTF-8",
        part,
        "too-large",
    )


def _parser(part: str) -> expat.XMLParserType:
    parser = expat.ParserCreate()

    def refuse(*_: object) -> None:
        # Excel never writes a DTD; one declaring entities can expand a small part into gigabytes
        # or substitute text for a cell's value.
        raise Damaged(
            f"{part} declares a DTD or entities, which Excel never writes: the workbook was made "
            f"or altered by another program and is not read; {RESAVE}",
            part,
        )

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def _refuse_far_cells(buffer: bytes, part: str) -> None:
    """Raise Damaged at a cell beyond Excel's sheet, or so far from A1 that reading the range up
    to it would hold more than MAX_SHEET_CELLS cells."""
    for match in _FAR.finditer(buffer):
        split = _SPLIT.fullmatch(match.group(1))
        if split is None:
            continue
        letters, digits = split.groups()
        row = int(digits[:9]) if len(digits) < 10 else EXCEL_ROWS + 1
        column = _column_index(letters[:4]) + 1 if len(letters) < 5 else EXCEL_COLUMNS + 1
        reference = (letters + digits).decode()[:20]
        if not 1 <= row <= EXCEL_ROWS or column > EXCEL_COLUMNS:
            raise Damaged(
                f"{part} has a cell at {reference}, outside an Excel sheet (XFD{EXCEL_ROWS:,} "
                f"is the last cell): Excel never writes one; {RESAVE}",
                part,
            )
        if row * column > MAX_SHEET_CELLS:
            raise Damaged(
                f"{part} has a cell at {reference}, so the sheet spans {row * column:,} cells from "
                f"A1, more than {MAX_SHEET_CELLS:,} (carecast's limit); delete what lies beyond "
                "the table (or save the sheet as CSV UTF-8)",
                part,
                "too-large",
            )


def _scan_cells(buffer: bytes, book: Workbook, *, final: bool = False) -> bytes:
    """Note the error and number cells in `buffer` up to the last cell's start (all of it when
    `final`); return the rest, which may hold a cell the next chunk ends."""
    start = None if final else _last_cell_start(buffer)
    done, rest = (buffer, b"") if start is None else (buffer[:start], buffer[start:])
    _error_cells(done, book.error_cells)
    for match in _NUMBER_CELL.finditer(done):
        attributes, value = match.groups()
        kind = _TYPE.search(attributes)
        reference = _REFERENCE.search(attributes)
        if reference and (kind is None or kind.group(1) == b"n"):
            rows, values = book.numbers.setdefault(_column_index(reference.group(1)), ([], []))
            rows.append(int(reference.group(2)))
            values.append(value.decode("ascii", "replace").strip())
    return rest[-_CARRY:]


def _last_cell_start(buffer: bytes) -> int | None:
    """Where the last cell of `buffer` begins (None: no cell begins in its last _CARRY bytes)."""
    starts = list(_CELL_START.finditer(buffer, max(0, len(buffer) - _CARRY)))
    if starts:
        return starts[-1].start()
    for tail in (b"<c", b"<"):  # the next chunk may finish a cell's start tag
        if buffer.endswith(tail):
            return len(buffer) - len(tail)
    return None


def _error_cells(done: bytes, found: list[ErrorCell]) -> None:
    """Note the error cells in `done`, which ends where a cell begins."""
    if any(mark in done for mark in _ERROR_MARKS):
        for match in _CELL.finditer(done):
            attributes, content = match.group(1), match.group(2) or b""
            reference = _REFERENCE.search(attributes)
            if _ERROR_TYPE.search(attributes) and reference:
                value = _VALUE.search(content)
                shown = value.group(1).decode("utf-8", "replace") if value else "an error"
                found.append(
                    ErrorCell(_column_index(reference.group(1)), int(reference.group(2)), shown)
                )
