"""What a file says, read without carecast: the expected stored rows of each of its tables.

The reading here is independent of carecast's: Python's csv module instead of polars, openpyxl
instead of calamine, ElementTree instead of lxml's iterparse, PyYAML's BaseLoader instead of
yaml_tree, and each cell converted with Decimal, datetime and plain string methods instead of
polars expressions. Only the documented conventions are shared (formats.md and the README):
headings matched case-insensitively after trimming, dates as YYYY-MM-DD or DD/MM/YYYY, money with
an optional £ and thousands commas, codes in their list's case, Excel serial numbers in date
columns. A cell the conventions cannot read gives `UNREADABLE`, which equals nothing stored.
"""

from __future__ import annotations

import codecs
import csv
import fnmatch
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from carecast.ingest.columns import ColumnSpec, Kind
from carecast.ingest.datasets import DATASETS, Dataset, recognise
from tests.fuzz_inputs import Case

# What polars' strip_chars() removes: Unicode White_Space (Python's str.strip() also removes the
# separators \x1c-\x1f, which are not spaces).
SPACES = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"  # noqa: E501
_ISO = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_UK = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
_MONEY = re.compile(r"^-?£?-?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]{1,2})?$")
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_SERIAL = re.compile(r"^([0-9]{5})(\.0+)?$")
EXCEL_EPOCH = date(1899, 12, 30)
SERIALS = ((date(1930, 1, 1) - EXCEL_EPOCH).days, (date(2099, 12, 31) - EXCEL_EPOCH).days)
_TOKENS = (("YYYY", "%Y"), ("MMMM", "%B"), ("MMM", "%b"), ("DD", "%d"), ("MM", "%m"), ("YY", "%y"))


@dataclass(frozen=True)
class Unreadable:
    """The file cannot be read without carecast (so stored values cannot be checked)."""

    why: str


class _Unreadable:
    def __repr__(self) -> str:
        return "UNREADABLE"

    def __eq__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return 0


UNREADABLE = _Unreadable()
Expected = tuple[list[str], list[tuple[Any, ...]]] | Unreadable


@dataclass(frozen=True)
class Translation:
    """A mapping file's effect on a table, as its YAML says."""

    columns: dict[str, str]
    values: dict[str, dict[str, str]]
    date_format: str | None


def strip(text: str) -> str:
    return text.strip(SPACES)


# ---- decoding -------------------------------------------------------------------------------

_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF8, "utf-8"),
)


def decode(data: bytes) -> str | None:
    """The text: a byte-order mark's encoding, UTF-16/32 of mostly ASCII, UTF-8, Windows-1252."""
    for mark, codec in _MARKS:
        if data.startswith(mark):
            try:
                return data[len(mark) :].decode(codec)
            except UnicodeDecodeError:
                return None
    if data.count(0) > len(data) // 3:
        # UTF-16/32 without a mark: the reading that gives the most ASCII (and no NUL)
        readings = []
        for codec in ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                readings.append((sum(c.isascii() for c in text), text))
        if readings:
            return max(readings)[1]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return None


def csv_records(data: bytes) -> list[list[str]] | None:
    text = decode(data)
    if text is None:
        return None
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return None


# ---- one cell -------------------------------------------------------------------------------


def _date(text: str) -> date | _Unreadable:
    for pattern, order in ((_ISO, (1, 2, 3)), (_UK, (3, 2, 1))):
        found = pattern.match(text)
        if found:
            year, month, day = (int(found.group(i)) for i in order)
            try:
                parsed = date(year, month, day)
            except ValueError:
                return UNREADABLE
            return parsed if year >= 1000 else UNREADABLE
    return UNREADABLE


def _pence(text: str) -> int | _Unreadable:
    compact = text.replace(" ", "")
    if not _MONEY.match(compact) or compact.count("-") > 1:
        return UNREADABLE
    pounds = Decimal(compact.replace("£", "").replace(",", "").replace("-", ""))
    pence = int(pounds * 100)
    return -pence if "-" in compact else pence


def _decimal(text: str, *, percent: bool) -> Decimal | _Unreadable:
    if percent:
        text = strip(text.removesuffix("%"))
    if not _NUMBER.match(text):
        return UNREADABLE
    try:
        value = Decimal(text)
    except InvalidOperation:
        return UNREADABLE
    if percent and not 0 <= value <= 100:
        return UNREADABLE
    return value


def _whole(text: str) -> int | _Unreadable:
    return int(Decimal(text)) if re.match(r"^-?[0-9]+(\.0+)?$", text) else UNREADABLE


_CONVERT: dict[Kind, Callable[[str], Any]] = {
    Kind.DATE: _date,
    Kind.MONEY: _pence,
    Kind.NUMBER: lambda text: _decimal(text, percent=False),
    Kind.PERCENT: lambda text: _decimal(text, percent=True),
    Kind.WHOLE: _whole,
}


def convert(spec: ColumnSpec, cell: str) -> Any:
    """A cell's stored value as the conventions read it (None: empty). Text, periods and
    financial years are stored as written; codes in their list's case."""
    text = strip(cell)
    if not text:
        return Decimal(spec.default) if spec.default is not None else None
    if spec.kind is Kind.CODE:
        return text.lower() if spec.lower else text.upper()
    return _CONVERT[spec.kind](text) if spec.kind in _CONVERT else text


# ---- one table ------------------------------------------------------------------------------


def _specs(dataset: Dataset) -> list[ColumnSpec]:
    return [*dataset.columns, *dataset.optional]


def expected_rows(
    dataset: Dataset,
    header: list[str],
    records: list[list[str]],
    *,
    excel: bool = False,
    translation: Translation | None = None,
) -> Expected:
    positions: dict[str, int] = {}
    for position, heading in enumerate(header):
        key = heading.strip().upper()
        if key:
            positions.setdefault(key, position)
    specs = [s for s in _specs(dataset) if s.name in positions or s.default is not None]
    columns = [dataset.store_column(s.name) for s in specs]
    rows = []
    for record in records:
        values = []
        for spec in specs:
            at = positions.get(spec.name)
            cell = record[at] if at is not None and at < len(record) else ""
            cell = _translated(spec, cell, translation)
            if excel and spec.kind is Kind.DATE:
                cell = cell.removesuffix(" 00:00:00")  # a date cell: the date it shows
                serial = _SERIAL.match(strip(cell))
                if serial and SERIALS[0] <= int(serial.group(1)) <= SERIALS[1]:
                    cell = (EXCEL_EPOCH + timedelta(days=int(serial.group(1)))).isoformat()
            values.append(convert(spec, cell))
        rows.append(tuple(values))
    return columns, rows


def _translated(spec: ColumnSpec, cell: str, translation: Translation | None) -> str:
    if translation is None:
        return cell
    local = translation.values.get(spec.name)
    if local is not None:
        return local.get(strip(cell).lower(), cell)
    if translation.date_format and spec.kind is Kind.DATE:
        try:
            return datetime.strptime(strip(cell), translation.date_format).date().isoformat()
        except ValueError:
            return cell
    return cell


def _blank(record: list[str]) -> bool:
    return all(cell == "" for cell in record)


def _table(
    header: list[str],
    records: list[list[str]],
    *,
    excel: bool = False,
    translation: Translation | None = None,
) -> dict[str, Expected]:
    if translation is not None:
        header = [translation.columns.get(h.strip().lower(), h) for h in header]
    dataset = recognise({h.strip().upper() for h in header if h.strip()}).dataset
    if dataset is None:
        return {}
    body = [r for r in records if r and not _blank(r)]
    return {
        dataset.name: expected_rows(dataset, header, body, excel=excel, translation=translation)
    }


# ---- files ----------------------------------------------------------------------------------


def expected_tables(case: Case, path: Path) -> dict[str, Expected]:
    """Per dataset the file holds: the store columns and the rows it says they should hold."""
    if case.name.endswith(".xlsx"):
        return _xlsx_tables(path)
    if case.name.endswith(".xml"):
        from tests.fuzz_oracle_xml import xml_tables

        return xml_tables(case.data)
    translation = None
    if case.mapping is not None:
        found = _translation(case)
        if isinstance(found, Unreadable):
            return {d.name: found for d in DATASETS}
        translation = found
    records = csv_records(case.data)
    if not records:
        return {d.name: Unreadable("not readable as CSV") for d in DATASETS}
    return _table(records[0], records[1:], translation=translation)


def _translation(case: Case) -> Translation | Unreadable | None:
    import yaml

    try:
        tree = yaml.load((case.mapping or b"").decode("utf-8-sig"), Loader=yaml.BaseLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return Unreadable(f"mapping not readable as YAML: {exc}")
    if not isinstance(tree, dict):
        return Unreadable("the mapping is not a YAML mapping")
    columns = tree.get("columns") or {}
    values = tree.get("values") or {}
    if not isinstance(columns, dict) or not isinstance(values, dict):
        return Unreadable("columns or values is not a mapping")
    files = tree.get("files")
    header = (csv_records(case.data) or [[]])[0]
    keys = {strip(str(k)).lower(): strip(str(v)).upper() for k, v in columns.items()}
    if isinstance(files, str):
        if not fnmatch.fnmatch(case.name.lower(), files.lower()):
            return None
    elif keys and not any(strip(h).lower() in keys for h in header):
        return None
    date_format = tree.get("date_format")
    if isinstance(date_format, str) and "%" not in date_format:
        for token, directive in _TOKENS:
            date_format = date_format.replace(token, directive)
    return Translation(
        keys,
        {
            strip(str(c)).upper(): {strip(str(k)).lower(): strip(str(v)) for k, v in m.items()}
            for c, m in values.items()
            if isinstance(m, dict)
        },
        date_format if isinstance(date_format, str) else None,
    )


def excel_text(value: object) -> str:
    """A cell's value as the text Excel shows in a General cell (15 significant digits)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**15 else format(Decimal(f"{value:.15g}"), "f")
    if isinstance(value, float):
        shown = Decimal(f"{value:.15g}") if value else Decimal(0)  # Excel shows -0 as 0
        return format(shown.normalize(), "f") if shown != shown.to_integral() else f"{shown:.0f}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _xlsx_tables(path: Path) -> dict[str, Expected]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
        sheet = book.worksheets[0]
        grid = [[excel_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    except Exception as exc:
        return {d.name: Unreadable(f"openpyxl: {type(exc).__name__}: {exc}") for d in DATASETS}
    used = [r for r in grid if any(strip(c) for c in r)]
    if not used:
        return {}
    counts = [sum(1 for c in r if strip(c)) for r in used[:20]]
    at = counts.index(max(counts))
    header = [strip(c) for c in used[at]]
    width = max(i for i, h in enumerate(header) if h) + 1
    return _table(header[:width], [r[:width] for r in used[at + 1 :]], excel=True)
