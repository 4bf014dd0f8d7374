"""The text of a CSV file whatever encoding it was saved in, or a refusal saying where it breaks.

Councils' files arrive as UTF-8 (with or without a byte-order mark), as Excel's Windows-1252 CSV,
and now and then as UTF-16 or UTF-32 (Excel's "Unicode Text", some finance systems' exports).
UTF-16/32 is found by its byte-order mark or, without one, by the zero bytes ASCII text has in
those encodings, and read; Windows-1252 is read when the file is not UTF-8. A file holding both
UTF-8 and Windows-1252 text (two files joined together) is refused: reading it either way would
store some of its text wrong. Every note and refusal names the row and column of the first byte
concerned.
"""

from __future__ import annotations

import codecs
import csv
import re

from carecast.errors import Issue, Severity

UTF8_BOM = codecs.BOM_UTF8
# UTF-32 LE's mark begins with UTF-16 LE's, so the longer marks are tried first.
_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
_SAMPLE = 4096  # bytes looked at to recognise UTF-16/32 without a mark
# A multi-byte UTF-8 character: in a file that is not UTF-8 throughout, one of these means the file
# mixes encodings (Windows-1252 text almost never spells one by chance).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_RESAVE = "open it in Excel (or the program that made it) and save it as 'CSV UTF-8'"


def wide_encoding(data: bytes) -> tuple[str, str, int] | None:
    """(codec, name, length of its mark) when the file is UTF-16 or UTF-32, else None."""
    for mark, codec, name in _MARKS:
        if data.startswith(mark):
            return codec, name, len(mark)
    sample = data[: _SAMPLE - _SAMPLE % 4]
    if len(sample) < 4:
        return None
    quarter = len(sample) // 4
    zeros = [sample[i::4].count(0) / quarter for i in range(4)]
    mostly, rarely = 0.9, 0.1  # ASCII text leaves these bytes zero; anything else, few zeros
    patterns = (
        ("utf-32-le", "UTF-32", (False, True, True, True)),
        ("utf-32-be", "UTF-32", (True, True, True, False)),
        ("utf-16-le", "UTF-16", (False, True, False, True)),
        ("utf-16-be", "UTF-16", (True, False, True, False)),
    )
    for codec, name, zero_at in patterns:
        if all(
            (z >= mostly) if want else (z <= rarely) for z, want in zip(zeros, zero_at, strict=True)
        ):
            return codec, name, 0
    return None


def decode(data: bytes, source: str) -> tuple[str | None, list[Issue]]:
    """Text of a file, with a located note or refusal when it is not plain UTF-8."""
    wide = wide_encoding(data)
    if wide is not None:
        return _decode_wide(data, source, *wide)
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        first = exc.start
    row, column = locate(data, first)
    byte = f"0x{data[first]:02X}"
    if _UTF8_SEQUENCE.search(data):
        message = (
            f"byte {byte} here is not UTF-8 while other text in the file is: the file mixes two "
            f"encodings (files joined together?), so some text would be read wrong; {_RESAVE}"
        )
        return None, [Issue(source, row, column, "encoding", message)]
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        row, column = locate(data, exc.start)
        message = (
            f"byte 0x{data[exc.start]:02X} here is neither UTF-8 nor Windows-1252 text; {_RESAVE}"
        )
        return None, [Issue(source, row, column, "encoding", message)]
    note = (
        f"read as Windows-1252 (Excel's CSV), not UTF-8: this is the first such text "
        f"('{data[first : first + 1].decode('cp1252')}'); saving as CSV UTF-8 avoids surprises"
    )
    return text, [Issue(source, row, column, "encoding", note, Severity.WARNING)]


def _decode_wide(
    data: bytes, source: str, codec: str, name: str, mark: int
) -> tuple[str | None, list[Issue]]:
    try:
        text = data[mark:].decode(codec)
    except UnicodeDecodeError as exc:
        message = (
            f"the file looks like {name} ({codec.upper()}) but byte {exc.start + mark:,} is not "
            f"{name} text; {_RESAVE}"
        )
        return None, [Issue(source, None, None, "encoding", message)]
    note = f"read as {name} ({codec.upper()}); saving as CSV UTF-8 avoids surprises"
    return text, [Issue(source, None, None, "encoding", note, Severity.WARNING)]


def locate(data: bytes, offset: int) -> tuple[int, str | None]:
    """The row (line) and the column heading of the byte at `offset` of a CSV file's bytes (whose
    lines end with LF or CRLF, or with a CR alone throughout)."""
    end = b"\n" if b"\n" in data or b"\r" not in data else b"\r"  # CR alone: old Mac lines
    row = data.count(end, 0, offset) + 1
    start = data.rfind(end, 0, offset) + 1
    prefix = data[start:offset].decode("utf-8", "replace")
    position = len(_cells(prefix)) - 1 if prefix else 0
    first_line = data[: max(data.find(end), 0) or len(data)].decode("utf-8", "replace")
    header = _cells(first_line.rstrip("\r"))
    column = header[position].strip() if position < len(header) else None
    return row, column or f"column {position + 1}"


def _cells(line: str) -> list[str]:
    """One line's cells; a carriage return inside the line (which Python's csv module refuses
    outside quotes) is read as a space, since only the count of cells before it is needed."""
    return next(csv.reader([line.replace("\r", " ")]), [""])
