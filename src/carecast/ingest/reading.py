"""Read a delimited text file the way councils save them: BOM or not, CRLF, Excel's Windows-1252.

The result is a `RawTable`: every cell as text, columns named as the file spells them, and a
`__row` column with the row number a spreadsheet shows (header = row 1).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from carecast.errors import Issue, Severity
from carecast.ingest.columns import ROW


@dataclass(frozen=True)
class RawTable:
    """A table's text cells. `header` keeps the column names as spelt (duplicates included)."""

    source: str
    sha256: str
    header: tuple[str, ...]
    frame: pl.DataFrame  # one String column per header position (named col0, col1, …) + __row
    excel: bool = False  # read from a workbook: bare numbers in date columns are Excel serials
    original: tuple[str, ...] | None = None  # the file's own headings when a mapping renamed them

    def column_name(self, position: int) -> str:
        return f"col{position}"

    def spelling(self, position: int) -> str:
        """A column's heading as the file spells it (for locating problems)."""
        return (self.original or self.header)[position]


def utf8_bytes(data: bytes, source: str) -> tuple[bytes | None, list[Issue]]:
    """The file as UTF-8 bytes without a byte-order mark (re-encoded from Windows-1252 if need be)."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        text, issues = decode(data, source)
        if any(i.severity is Severity.ERROR for i in issues):
            return None, issues
        return text.encode("utf-8"), issues
    return body, []


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


def table_from_rows(
    source: str, sha256: str, header: list[str], rows: list[list[str]], first_row: int = 2
) -> RawTable:
    """A RawTable from already-split rows (used by the slow CSV path, XLSX and XML readers)."""
    width = len(header)
    columns = {f"col{i}": [row[i] if i < len(row) else "" for row in rows] for i in range(width)}
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    frame = frame.with_columns(
        pl.int_range(first_row, first_row + len(rows), dtype=pl.Int64).alias(ROW)
    )
    return RawTable(source, sha256, tuple(h.strip() for h in header), frame)


def _slow_parse(text: str, source: str, sha256: str) -> tuple[RawTable | None, list[Issue]]:
    """Python's csv module, row by row: used only when a file has ragged rows, to locate them."""
    records = list(csv.reader(io.StringIO(text, newline="")))
    header = records[0]
    width = len(header)
    issues: list[Issue] = []
    kept: list[list[str]] = []
    numbers: list[int] = []
    for number, record in enumerate(records[1:], start=2):
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
        kept.append(record[:width])
        numbers.append(number)
    table = table_from_rows(source, sha256, header, kept)
    table = RawTable(
        table.source,
        table.sha256,
        table.header,
        table.frame.with_columns(pl.Series(ROW, numbers, dtype=pl.Int64)),
    )
    return table, issues


def parse_csv_bytes(data: bytes, source: str, sha256: str) -> tuple[RawTable | None, list[Issue]]:
    """Split UTF-8 CSV into a header and numbered rows of text; blank rows are dropped."""
    first_line = data.split(b"\n", 1)[0].decode("utf-8")
    if not first_line.strip().strip(","):
        return None, [Issue(source, 1, None, "empty-file", "the file has no header row")]
    try:
        header = next(csv.reader([first_line.rstrip("\r")]))
        frame = pl.read_csv(
            io.BytesIO(data),
            infer_schema=False,
            has_header=True,
            raise_if_empty=False,
        )
    except (pl.exceptions.ComputeError, csv.Error, pl.exceptions.NoDataError):
        try:
            return _slow_parse(data.decode("utf-8"), source, sha256)
        except csv.Error as exc:
            return None, [Issue(source, None, None, "bad-csv", f"not readable as CSV: {exc}")]
    frame = frame.rename({old: f"col{i}" for i, old in enumerate(frame.columns)})
    # Polars keeps blank lines as empty rows, so a record's position gives its spreadsheet row.
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    text_columns = [c for c in frame.columns if c != ROW]
    if text_columns:
        # Polars reads an empty field as null, so a blank line is a row of nulls.
        blank = pl.all_horizontal(pl.col(c).is_null() for c in text_columns)
        frame = frame.filter(~blank)
    return RawTable(source, sha256, tuple(h.strip() for h in header), frame), []


def read_csv_file(path: Path, source: str | None = None) -> tuple[RawTable | None, list[Issue]]:
    data = path.read_bytes()
    name = source or str(path)
    digest = hashlib.sha256(data).hexdigest()
    body, issues = utf8_bytes(data, name)
    if body is None:
        return None, issues
    table, more = parse_csv_bytes(body, name, digest)
    return table, issues + more
