"""How much carecast reads from one input before refusing it, and the refusal naming the limit.

Every limit sits far above what a council's file holds, so only a damaged or hostile file meets
one; each is checked before the work it bounds (a workbook part's declared size before it is
decompressed, a file's size before it is read), and again while reading when a header may lie.
"""

from __future__ import annotations

from carecast.errors import Issue

MIB = 1024 * 1024

# A whole input file (CSV, XML or workbook) is read into memory. The largest a council holds — a
# year of ledger lines or SSDA903 episodes for a large authority — is tens of MB (the million-
# episode benchmark return is ~70 MB); polars needs a few times a CSV's size to parse it, so
# 512 MiB keeps a read within the memory of the laptop a finance officer runs carecast on.
MAX_FILE_BYTES = 512 * MIB

# A column-mapping file names a few dozen headings and local values: a few KB. A megabyte is
# thousands of lines, far beyond any export's headings.
MAX_MAPPING_BYTES = MIB

# Decompressed XML read from one workbook (the chosen sheet, shared strings, styles and the
# workbook's own parts). Excel writes ~330 bytes per ten-column row (33 MB per 100,000 rows,
# measured), so 256 MiB holds some 800,000 rows; calamine holds about three times a part's size in
# memory, so a 1 MB file carrying a 1 GiB part is refused before it can take gigabytes.
MAX_WORKBOOK_XML_BYTES = 256 * MIB

# Parts in one workbook's zip: Excel writes a dozen or so; thousands mean a crafted archive.
MAX_WORKBOOK_PARTS = 10_000

# Rows of one table (header excluded): twice the million-episode benchmark return and twice the
# most rows an Excel sheet can hold (1,048,576).
MAX_ROWS = 2_000_000

# Cells between A1 and a sheet's farthest cell: calamine holds that whole range, filled or not, so
# one cell at XFD1048576 (or beyond Excel's own last column and row) took minutes and gigabytes.
# Fifty million is 2,000,000 rows of 25 columns; a cell beyond Excel's sheet is refused too.
MAX_SHEET_CELLS = 50_000_000
EXCEL_COLUMNS = 16_384  # A to XFD
EXCEL_ROWS = 1_048_576

# Characters in one cell: Excel's own limit, so a cell Excel wrote always fits; no formats.md
# value comes near it, and a longer one is a quote left open that swallowed the rows after it.
MAX_CELL_CHARS = 32_767

# Nesting of SSDA903 XML elements: the form is five deep (EXPSSDA903/CHILD/HEADER/AREVIEW/REVIEW);
# sixteen leaves room for wrappers an export might add. libxml2 stops at 256 on its own.
MAX_XML_DEPTH = 16

# Elements in one SSDA903 XML file: every looked-after child in England (~84,000) at 200 elements
# each is 17 million; a council's return holds a few hundred thousand.
MAX_XML_ELEMENTS = 20_000_000


def too_large(source: str, row: int | None, column: str | None, what: str, fix: str) -> Issue:
    """A refusal naming the limit met: `what` says which limit and its value, `fix` what to do."""
    return Issue(source, row, column, "too-large", f"{what} (carecast's limit); {fix}")


def mib(size: int) -> str:
    return f"{size / MIB:,.0f} MiB"
