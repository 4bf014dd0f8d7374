"""Read a delimited text file the way councils save them: BOM or not, CRLF, Excel's Windows-1252."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from carecast.errors import Issue, Severity


@dataclass(frozen=True)
class RawTable:
    """A file's header and data rows; `rows` pairs each row with the number a spreadsheet shows."""

    source: str
    sha256: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def decode(data: bytes, source: str) -> tuple[str, list[Issue]]:
    """Text of a file: UTF-8 (BOM optional), else Windows-1252 as Excel writes it on Windows."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        issue = Issue(
            source,
            None,
            None,
            "encoding",
            f"byte {exc.start} is neither UTF-8 nor Windows-1252 text; save the file as CSV UTF-8",
        )
        return "", [issue]
    note = Issue(
        source,
        None,
        None,
        "encoding",
        "read as Windows-1252 (Excel's CSV); saving as CSV UTF-8 avoids surprises",
        Severity.WARNING,
    )
    return text, [note]


def parse_csv_text(text: str, source: str, sha256: str) -> tuple[RawTable | None, list[Issue]]:
    """Split CSV text into a header and numbered rows; blank rows are skipped, short rows padded."""
    issues: list[Issue] = []
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return None, [Issue(source, None, None, "bad-csv", f"not readable as CSV: {exc}")]
    if not records or not any(cell.strip() for cell in records[0]):
        return None, [Issue(source, 1, None, "empty-file", "the file has no header row")]
    header = tuple(cell.strip() for cell in records[0])
    width = len(header)
    rows: list[tuple[int, tuple[str, ...]]] = []
    # csv.reader yields one record per logical row; quoted line breaks make physical rows drift, so
    # the spreadsheet row is the record's position (row 1 = header), as Excel would number it.
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > width and any(cell.strip() for cell in record[width:]):
            issues.append(
                Issue(
                    source,
                    number,
                    None,
                    "row-length",
                    f"the row has {len(record)} values but the header has {width} columns; "
                    "remove the extra values or add their column headings",
                )
            )
            continue
        cells = tuple(cell.strip() for cell in record[:width])
        rows.append((number, cells + ("",) * (width - len(cells))))
    return RawTable(source, sha256, header, tuple(rows)), issues


def read_csv_file(path: Path, source: str | None = None) -> tuple[RawTable | None, list[Issue]]:
    data = path.read_bytes()
    name = source or str(path)
    digest = hashlib.sha256(data).hexdigest()
    text, issues = decode(data, name)
    if any(i.severity is Severity.ERROR for i in issues):
        return None, issues
    table, more = parse_csv_text(text, name, digest)
    return table, issues + more
