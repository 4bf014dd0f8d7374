"""Whether a CSV file's header and rows split the way it was written: quotes that never close.

A quote (") opening a cell makes everything up to the next quote part of that cell, line breaks
included. A stray one (a heading typed as `"GRADE`, a provider called `"Smith`) swallows the rest
of the file into one cell: polars and Python's csv module both read that without complaint, as a
file with no rows or with fewer rows than it holds. These checks find the quote and refuse the
file at its row and column, before a quiet wrong number can be stored.
"""

from __future__ import annotations

import numpy as np

from carecast.errors import Issue
from carecast.ingest.encoding import locate

_FIELD_START = frozenset(b",\r\n")


def unclosed_quote(data: bytes) -> int | None:
    """Offset of the quote opening a cell that the file ends inside, or None.

    As RFC 4180 and Python's csv module read it: a quote opens a cell only at its start, and inside a quoted
    cell a doubled quote is a quote character. The loop runs over the quotes only.
    """
    positions = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord('"')).tolist()
    opened: int | None = None
    escaped = False
    for index, at in enumerate(positions):
        if escaped:
            escaped = False
        elif opened is None:
            if at == 0 or data[at - 1] in _FIELD_START:
                opened = at  # a quote inside an unquoted value is a quote character
        elif index + 1 < len(positions) and positions[index + 1] == at + 1:
            escaped = True
        else:
            opened = None
    return opened


def quote_problems(data: bytes, source: str, header: list[str]) -> list[Issue]:
    """Refusals for a quote left open or a header that does not parse (empty: the file is sound).

    `data` is the UTF-8 text about to be split with Python's csv module, `header` its first record.
    """
    opened = unclosed_quote(data) if b'"' in data else None
    if opened is not None:
        row, column = locate(data, opened)
        if row == 1:
            why = (
                'a quote (") opens this heading and is never closed, so the rest of the file '
                "would read as this one heading; remove the stray quote"
            )
            return [_bad_header(source, column, why)]
        message = (
            'a quote (") opens this cell and is never closed, so every row after it would read '
            "as part of this cell; remove the stray quote (or close it) and save again"
        )
        return [Issue(source, row, column, "open-quote", message)]
    for position, heading in enumerate(header):
        if "\n" in heading or "\r" in heading:
            why = (
                f'a quote (") opens heading {position + 1} and closes only on a later line, '
                "so rows of the file read as part of the header; remove the stray quote"
            )
            return [_bad_header(source, f"column {position + 1}", why)]
    return []


def lone_carriage_return(data: bytes) -> int | None:
    """Offset of a carriage return (CR) standing alone outside quotes in a file whose lines end
    with a line feed (LF), or None.

    Python's csv module, Excel and LibreOffice start a new row at a lone CR; polars keeps it
    inside the cell. Which row a value belongs to cannot be told, so the file is refused there.
    A file whose every line ends with a lone CR (old Mac line ends) holds no LF and is read.
    """
    if b"\n" not in data:
        return None
    view = np.frombuffer(data, dtype=np.uint8)
    alone = [
        at
        for at in np.flatnonzero(view == ord("\r")).tolist()
        if at + 1 >= len(data) or data[at + 1] != ord("\n")
    ]
    if not alone:
        return None
    quotes = np.flatnonzero(view == ord('"')).tolist()
    events = sorted([(at, "q") for at in quotes] + [(at, "r") for at in alone])
    opened = False
    escaped = False
    for index, (at, kind) in enumerate(events):
        if kind == "r":
            if not opened:
                return int(at)
            continue
        if escaped:
            escaped = False
        elif not opened:
            opened = at == 0 or data[at - 1] in _FIELD_START
        elif index + 1 < len(events) and events[index + 1] == (at + 1, "q"):
            escaped = True
        else:
            opened = False
    return None


def lone_cr_problem(data: bytes, source: str) -> list[Issue]:
    """The refusal of a lone carriage return (see `lone_carriage_return`), if the file has one."""
    at = lone_carriage_return(data) if b"\r" in data else None
    if at is None:
        return []
    row, column = locate(data, at)
    message = (
        "a carriage return (CR) stands alone inside this row while the file's lines end with a "
        "line feed: Excel starts a new row there and carecast would not, so which row its values "
        "belong to cannot be told; remove it, or save the file again as CSV UTF-8"
    )
    return [Issue(source, row, column, "lone-cr", message)]


def rows_swallowed(body: bytes, parsed_rows: int) -> bool:
    """Whether a parser found fewer rows than the file has lines after its header (blank lines
    counted): a quoted cell spans lines, legitimately or from a stray quote, and the file must be
    split by the rules `quote_problems` checks."""
    if b'"' not in body:
        return False
    end = len(body)
    while end and body[end - 1] in b"\r\n":  # trailing line ends hold no row (and no copy made)
        end -= 1
    return parsed_rows < body.count(b"\n", 0, end)


def _bad_header(source: str, column: str | None, why: str) -> Issue:
    return Issue(source, 1, column, "bad-header", f"the header row does not parse: {why}")
