"""Hostile variants of small valid inputs, one family per importer, from a seeded mutator.

Every importer starts from a small valid file (`SEEDS`): each CSV dataset of formats.md, a
workbook, DfE's SSDA903 XML and a ContrOCC-style export with its column-mapping file. `mutate`
breaks it the ways real files break and hostile ones are built — bytes flipped, cut short or
re-encoded; rows and columns inserted, duplicated, deleted or swapped; cells made huge, negative,
out of range, empty, quoted, invisible, control characters or formulas; zip parts damaged; XML
nested deep or oddly — and also changes cells to other valid values, so that many variants are
imported and their stored values can be compared with the file. The same seed gives the same
input, whatever the platform (random.Random only).
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from tests.fixtures_small import FILES

AS_OF = date(2018, 9, 30)
Rows = list[list[str]]


@dataclass(frozen=True)
class Case:
    """One input to import: the file's name and bytes, the mapping file's bytes if any."""

    importer: str
    name: str
    data: bytes
    mapping: bytes | None
    applied: tuple[str, ...]


CSV_SEEDS: dict[str, str] = {
    "header": FILES["header.csv"],
    "episodes": FILES["episodes.csv"],
    "placement_costs": FILES["placement_costs.csv"].replace(",,RES1", ",25,RES1"),
    "gl_actuals": FILES["gl_actuals.csv"],
    "cost_centres": FILES["cost_centres.csv"],
    "budget": FILES["budget.csv"],
    "establishment": "POST_ID,TEAM,ROLE,FTE,STATUS,ANNUAL_COST,START_DATE,END_DATE,CASELOAD\n"
    "P1,Safeguarding,SW,1,agency,73000,,,18\nP2,Safeguarding,SW,0.5,permanent,21000.50,"
    "01/04/2017,,12\nP3,Fostering,TM,1,vacant,0,,31/03/2019,\n",
    "allowances": "CASE_ID,ALLOWANCE_TYPE,START_DATE,END_DATE,WEEKLY_AMOUNT\n"
    "A1,sgo,2017-06-01,,150.25\nA2,adoption,2016-01-04,2019-01-03,98\n",
    "actions": "ACTION_ID,KIND,TITLE,SERVICE_LINE,OWNER,FINANCIAL_YEAR,VALUE,CONFIDENCE,STATUS,"
    "DUE_DATE,NOTES\nS1,saving,Step down residential,placements_residential,Head of CLA,2018-19,"
    "120000,high,in_progress,2019-03-31,Two children\nR1,risk,Court costs,other_costs,Legal,"
    '2018-19,"£45,000.00",50%,proposed,,\n',
    # The SSDA903 tables carecast recognises and does not store yet: refused or accepted with
    # warnings, never stored.
    "ssda903_other": "",  # one of OTHER_903, chosen per case
}
OTHER_903 = {
    "uasc": "CHILD,SEX,DOB,DUC\nC1,1,01/01/2008,01/01/2026\n",
    "reviews": "CHILD,DOB,REVIEW,REVIEW_CODE\nC1,01/01/2008,08/06/2018,PN5\n",
    "missing": "CHILD,DOB,MISSING,MIS_START,MIS_END\nC1,01/01/2008,A,21/06/2018,06/07/2018\n",
    "oc2": "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,"
    "HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED\n"
    "C1,01/01/2008,11,,0,1,0,0,0,0,1,0\n",
    "oc3": "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nC2,01/02/2001,YES,P1,E2\n",
    "ad1": "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR\n"
    "C1,01/01/2008,01/02/2018,01/04/2018,0,2,MF,L0\n",
    "placed_for_adoption": "CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED\n"
    "C1,01/01/2008,01/05/2018,,\n",
    "prev_perm": "CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM\nC1,01/01/2008,Z1,,\n",
    "sw_episodes": "CHILD,SW_ID,SW_DECOM,SW_DEC,SW_REASON\nC1,SW9,01/05/2018,,\n",
    "dolo": "CHILD,DOB,DOLO_START,DOLO_END\nC1,01/01/2008,01/06/2018,01/07/2018\n",
}
# Workbooks are built from these tables (the workbook importer is one family).
XLSX_TABLES = ("placement_costs", "gl_actuals", "establishment", "allowances", "header", "episodes")
XML_SEED = """<?xml version="1.0" encoding="UTF-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>C1</CHILDID>
      <SEX>1</SEX>
      <DOB>01/01/2008</DOB>
      <ETHNIC>WBRI</ETHNIC>
      <UPN>A123456789012</UPN>
      <AREVIEW>
        <REVIEW>08/06/2018</REVIEW>
        <REVIEW_CODE>PN1</REVIEW_CODE>
      </AREVIEW>
    </HEADER>
    <EPISODE>
      <DECOM>01/05/2018</DECOM>
      <RNE>S</RNE>
      <LS>C2</LS>
      <CIN>N1</CIN>
      <PL>U4</PL>
      <PLACE_PROVIDER>PR4</PLACE_PROVIDER>
      <DEC></DEC>
    </EPISODE>
  </CHILD>
  <CHILD>
    <HEADER>
      <CHILDID>C2</CHILDID>
      <SEX>2</SEX>
      <DOB>01/02/2001</DOB>
      <ETHNIC>WBRI</ETHNIC>
    </HEADER>
    <EPISODE>
      <DECOM>01/05/2017</DECOM>
      <RNE>S</RNE>
      <LS>C2</LS>
      <CIN>N1</CIN>
      <PL>K2</PL>
      <PLACE_PROVIDER>PR4</PLACE_PROVIDER>
    </EPISODE>
  </CHILD>
</EXPSSDA903>
"""
MAPPING_SEED = """# A ContrOCC-style service-agreements report as placement commitments
dataset: placement_costs
date_format: DD-MMM-YYYY
columns:
  Client Ref: CHILD
  Service Type: PLACEMENT_TYPE
  Provider Name: PROVIDER
  Agreement Start: START_DATE
  Agreement End: END_DATE
  Weekly Rate: WEEKLY_COST
  Client Contribution %: CONTRIBUTION_PCT
  Cost Code: COST_CENTRE
values:
  PLACEMENT_TYPE:
    Independent Fostering Agency: placements_ifa
    Residential Care Home: placements_residential
    Semi-Independent: placements_supported
"""
EXPORT_SEED = (
    "Client Ref,Service Type,Provider Name,Agreement Start,Agreement End,Weekly Rate,"
    "Client Contribution %,Cost Code\n"
    'C1,Independent Fostering Agency,Agency,01-May-2018,,"£910.00",0,IFA1\n'
    'C2,  residential care home ,Home,01-May-2017,31-Mar-2019,"£3,500.00",25,RES1\n'
)
CSV_IMPORTERS = tuple(f"csv:{name}" for name in CSV_SEEDS)
IMPORTERS = (*CSV_IMPORTERS, "xlsx", "xml", "mapping")

# ---- values a cell is set to ----------------------------------------------------------------

HOSTILE = (
    # huge, negative, odd numbers
    "100000000000000000",
    "99999999999999999999999",
    "9223372036854775807",
    "92233720368547758.07",
    "999999999.99",
    "1000000000",
    "-999999999.99",
    "1e308",
    "1e5",
    "NaN",
    "inf",
    "-1",
    "-0",
    "-0.01",
    "0.001",
    "1.005",
    "0.12345",
    "£1,234.56",
    "-£5",
    "£-5",
    "(5.00)",
    "1,23",
    "1 234",
    "+5",
    "05",
    "5.",
    ".5",
    "١٢٣",
    "１２３",
    "5000",
    "1001",
    "101",
    # dates out of range or odd
    "0001-01-01",
    "9999-12-31",
    "1899-12-31",
    "1900-02-29",
    "2018-02-29",
    "2020-02-29",
    "31/02/2018",
    "2018-13-01",
    "12018-01-01",
    "2018-1-1",
    "1/1/2018",
    "01/01/18",
    "2018/01/01",
    "20180101",
    "43221",
    "2018-05-01T00:00:00",
    "2018-05-01 00:00:00",
    " 2018-05-01 ",
    "01-May-2018",
    "2018-09",
    "2018-9",
    "2018-19",
    "2018-20",
    "2018/19",
    # empty, quotes, invisible and control characters
    "",
    " ",
    "\t",
    '"',
    '""',
    "'",
    'a"b',
    '"quoted"',
    "\ufeff",
    "\ufeffC1",
    "\x00",
    "C\x001",
    "\x01",
    "\x1b[31m",
    "\x7f",
    "\r",
    "\n",
    "a\r\nb",
    "\x0b",
    "\x1c",
    "\u2028",
    "\u200b",
    "\xa0",
    "\xa0C1\xa0",
    # formula-like text, Excel's errors
    "=1+1",
    "+44",
    "-1+2",
    "@SUM(A1)",
    '=HYPERLINK("http://x")',
    "#DIV/0!",
    "#N/A",
    " #REF! ",
    # codes in and out of their lists, in odd case
    "placements_ifa",
    " PLACEMENTS_Residential ",
    "agency",
    "VACANT",
    "sgo",
    "saving",
    "U4",
    "u4",
    "K2",
    "Z1",
    "1",
    "2",
    "M",
    "xx",
    # text
    "x" * 300,
    "x" * 40_000,
    "Zoë",
    "İstanbul",
    "ß",
    "ﬁ",
    "𝟘",
    "😀",
    "NULL",
    "None",
    ":100:",
    "[bold]x[/bold]",
)


def valid_like(rng: random.Random, cell: str) -> str:
    """Another value of the kind the cell holds, spelled as carecast documents it may be."""
    stripped = cell.strip()
    if _is_money_like(stripped):
        pence = rng.choice((0, 1, 99, 100, 5, 91000, 123456, 999999999, 10**10, 99999999999))
        pence = -pence if rng.random() < 0.2 else pence
        return money_text(rng, pence)
    if _date_text(stripped):
        day = date(1990, 1, 1) + timedelta(days=rng.randrange(0, 365 * 40))
        return day.isoformat() if rng.random() < 0.5 else day.strftime("%d/%m/%Y")
    if stripped.isalpha() or "_" in stripped:
        return rng.choice((stripped.upper(), stripped.lower(), f" {stripped} ", stripped.title()))
    alphabet = "ABCXYZ019 -'&éü£"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 12))).strip() or "Q"


def money_text(rng: random.Random, pence: int) -> str:
    pounds, rest = divmod(abs(pence), 100)
    digits = f"{pounds:,}" if rng.random() < 0.4 else str(pounds)
    text = digits if rest == 0 and rng.random() < 0.5 else f"{digits}.{rest:02d}"
    if rng.random() < 0.3:
        text = "£" + text
    return ("-" + text) if pence < 0 else text


def _is_money_like(text: str) -> bool:
    body = text.replace("£", "").replace(",", "").lstrip("-")
    return bool(body) and body.replace(".", "", 1).isdigit() and len(body) >= 2


def _date_text(text: str) -> bool:
    return len(text) == 10 and (text[4] == "-" or text[2] == "/")


def cell_value(rng: random.Random, cell: str) -> str:
    return valid_like(rng, cell) if rng.random() < 0.45 else rng.choice(HOSTILE)


# ---- rows and columns -----------------------------------------------------------------------


def parse_rows(data: bytes) -> Rows | None:
    try:
        return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    except (UnicodeDecodeError, csv.Error):
        return None


def write_rows(rows: Rows, rng: random.Random) -> bytes:
    out = io.StringIO()
    end = "\r\n" if rng.random() < 0.3 else "\n"
    if rng.random() < 0.1:
        csv.writer(out, lineterminator=end, quoting=csv.QUOTE_ALL).writerows(rows)
    else:
        csv.writer(out, lineterminator=end).writerows(rows)
    return out.getvalue().encode("utf-8")


RowMutation = Callable[[random.Random, Rows], Rows]


def _cell(rng: random.Random, rows: Rows, *, header: bool = False) -> tuple[int, int] | None:
    candidates = [(r, c) for r in range(len(rows)) for c in range(len(rows[r]))]
    candidates = [(r, c) for r, c in candidates if (r == 0) == header]
    return rng.choice(candidates) if candidates else None


def set_cell(rng: random.Random, rows: Rows) -> Rows:
    found = _cell(rng, rows)
    if found:
        r, c = found
        rows[r][c] = cell_value(rng, rows[r][c])
    return rows


def set_header(rng: random.Random, rows: Rows) -> Rows:
    found = _cell(rng, rows, header=True)
    if found:
        _, c = found
        heading = rows[0][c]
        rows[0][c] = rng.choice(
            (
                heading.lower(),
                f" {heading} ",
                f'"{heading}',
                f"\ufeff{heading}",
                heading + "\x00",
                "",
                "DESCRIPTION",
                "AMOUNT",
                "CHILD",
                rng.choice(HOSTILE),
            )
        )
    return rows


def insert_row(rng: random.Random, rows: Rows) -> Rows:
    at = rng.randrange(1, len(rows) + 1)
    width = len(rows[0]) if rows else 1
    kind = rng.randrange(5)
    if kind == 0 and len(rows) > 1:
        new = list(rng.choice(rows[1:]))  # a copy: the same row twice
    elif kind == 1:
        new = []  # a blank line
    elif kind == 2:
        new = [""] * width  # a row of empty cells
    elif kind == 3 and rows:
        new = list(rows[0])  # the header again (files joined together)
    else:
        new = [cell_value(rng, "x") for _ in range(rng.randrange(0, width + 3))]
    rows.insert(at, new)
    return rows


def delete_row(rng: random.Random, rows: Rows) -> Rows:
    if len(rows) > 1:
        del rows[rng.randrange(1, len(rows))]
    return rows


def ragged_row(rng: random.Random, rows: Rows) -> Rows:
    if len(rows) > 1:
        row = rows[rng.randrange(1, len(rows))]
        if rng.random() < 0.5 and row:
            del row[rng.randrange(len(row)) :]
        else:
            row.extend(cell_value(rng, "x") for _ in range(rng.randrange(1, 3)))
    return rows


def title_rows(rng: random.Random, rows: Rows) -> Rows:
    return [["Anytown Borough Council: extract"], *([[]] if rng.random() < 0.5 else []), *rows]


def _column(rng: random.Random, rows: Rows) -> int | None:
    return rng.randrange(len(rows[0])) if rows and rows[0] else None


def delete_column(rng: random.Random, rows: Rows) -> Rows:
    column = _column(rng, rows)
    if column is not None:
        for row in rows:
            if column < len(row):
                del row[column]
    return rows


def duplicate_column(rng: random.Random, rows: Rows) -> Rows:
    """A column given twice: the same values, or different ones in the copy."""
    column = _column(rng, rows)
    if column is None:
        return rows
    differ = rng.random() < 0.5
    at = rng.randrange(len(rows[0]) + 1)
    for number, row in enumerate(rows):
        value = row[column] if column < len(row) else ""
        if differ and number:
            value = cell_value(rng, value)
        row.insert(min(at, len(row)), value)
    return rows


def insert_column(rng: random.Random, rows: Rows) -> Rows:
    heading = rng.choice(("EXTRA", "", "Notes", "DESCRIPTION", "S251_LINE", "CASELOAD", "UPN"))
    at = rng.randrange(len(rows[0]) + 1) if rows else 0
    for number, row in enumerate(rows):
        if at <= len(row):
            row.insert(at, heading if number == 0 else cell_value(rng, "x"))
    return rows


def swap_columns(rng: random.Random, rows: Rows) -> Rows:
    if not rows or len(rows[0]) < 2:
        return rows
    a, b = rng.sample(range(len(rows[0])), 2)
    headers_only = rng.random() < 0.5
    for number, row in enumerate(rows):
        if (number == 0 or not headers_only) and max(a, b) < len(row):
            row[a], row[b] = row[b], row[a]
    return rows


ROW_MUTATIONS: tuple[RowMutation, ...] = (
    set_cell,
    set_cell,
    set_cell,
    set_cell,
    set_header,
    insert_row,
    delete_row,
    ragged_row,
    title_rows,
    delete_column,
    duplicate_column,
    insert_column,
    swap_columns,
)

# ---- bytes ----------------------------------------------------------------------------------

JUNK = (b"\x00", b"\xef\xbb\xbf", b"\r", b"\n", b'"', b",", b"\x81", b"\xe9", b"\xff\xfe", b"\x1a")
BytesMutation = Callable[[random.Random, bytes], bytes]


def flip_byte(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    at = rng.randrange(len(data))
    return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]


def insert_bytes(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    junk = rng.choice(JUNK) if rng.random() < 0.7 else rng.randbytes(rng.randrange(1, 6))
    return data[:at] + junk + data[at:]


def cut_bytes(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    if rng.random() < 0.5:
        return data[:start]  # truncated
    return data[:start] + data[start + rng.randrange(1, 20) :]


def repeat_bytes(rng: random.Random, data: bytes) -> bytes:
    if rng.random() < 0.3:
        return data + data  # two extracts joined together
    start = rng.randrange(len(data) + 1)
    end = min(len(data), start + rng.randrange(1, 40))
    return data[:end] + data[start:end] + data[end:]


def reencode(rng: random.Random, data: bytes) -> bytes:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    choice = rng.choice(
        (
            "utf-8-sig",
            "utf-16",
            "utf-16-le",
            "utf-16-be",
            "utf-32",
            "cp1252",
            "latin-1",
            "cr",
            "crlf",
        )
    )
    if choice == "cr":
        return text.replace("\r\n", "\n").replace("\n", "\r").encode()
    if choice == "crlf":
        return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    try:
        return text.encode(choice)
    except UnicodeEncodeError:
        return data


BYTE_MUTATIONS: tuple[BytesMutation, ...] = (
    flip_byte,
    insert_bytes,
    cut_bytes,
    repeat_bytes,
    reencode,
)


def mutate_text(rng: random.Random, data: bytes, applied: list[str], count: int) -> bytes:
    """`count` mutations of a CSV file: on its rows while it reads as CSV, else on its bytes."""
    for _ in range(count):
        rows = parse_rows(data)
        if rows and rng.random() < 0.7:
            mutation = rng.choice(ROW_MUTATIONS)
            data = write_rows(mutation(rng, rows), rng)
        else:
            byte_mutation = rng.choice(BYTE_MUTATIONS)
            mutation_name = byte_mutation.__name__
            data = byte_mutation(rng, data)
            applied.append(mutation_name)
            continue
        applied.append(mutation.__name__)
    return data


# ---- importers ------------------------------------------------------------------------------


def _count(rng: random.Random) -> int:
    return rng.choice((0, 1, 1, 1, 2, 2, 3))


def csv_case(importer: str, seed: int) -> Case:
    rng = random.Random(f"{importer}:{seed}")
    name = importer.removeprefix("csv:")
    text = CSV_SEEDS[name]
    applied: list[str] = []
    if name == "ssda903_other":
        table = rng.choice(sorted(OTHER_903))
        text = OTHER_903[table]
        applied.append(table)
    data = mutate_text(rng, text.encode(), applied, _count(rng))
    suffix = ".txt" if rng.random() < 0.05 else ".csv"
    return Case(importer, f"{name}{suffix}", data, None, tuple(applied))


def mapping_case(seed: int) -> Case:
    rng = random.Random(f"mapping:{seed}")
    applied: list[str] = []
    mapping = MAPPING_SEED.encode()
    export = EXPORT_SEED.encode()
    for _ in range(_count(rng)):
        if rng.random() < 0.55:
            mapping = mutate_yaml(rng, mapping, applied)
        else:
            export = mutate_text(rng, export, applied, 1)
    return Case("mapping", "service_agreements.csv", export, mapping, tuple(applied))


YAML_LINES = (
    "  Weekly Rate: AMOUNT",
    "  Client Ref: PROVIDER",
    "  Nonsense: NOT_A_COLUMN",
    "sheet: Service Agreements",
    "files: '*.xlsx'",
    "files: '*.csv'",
    "dataset: gl_actuals",
    "date_format: YYYY",
    "date_format: '%d/%m/%Y'",
    "date_format: DD/MM/YY",
    "extra: value",
    "columns: [a, b]",
    "values: {PLACEMENT_TYPE: {Agency: placements_ifa}}",
    "  PLACEMENT_TYPE: &a {x: placements_ifa}",
    "  PROVIDER: *a",
    "\tClient Ref: CHILD",
    "  'Cost Code': COST_CENTRE # a comment",
    '  "Weekly Rate": WEEKLY_COST',
    "    Independent Fostering Agency: placements_residential",
    "    independent fostering agency: placements_ifa",
    "    Agency: placements_secure",
    "  Agreement End:",
    "---",
    "...",
    "%YAML 1.1",
    "? complex",
    "!!python/object:os.system ls",
    "columns: !!binary aGVsbG8=",
)


def mutate_yaml(rng: random.Random, data: bytes, applied: list[str]) -> bytes:
    lines = data.split(b"\n")
    kind = rng.randrange(6)
    at = rng.randrange(len(lines) + 1)
    if kind == 0:
        lines.insert(at, rng.choice(YAML_LINES).encode())
        applied.append("yaml_insert_line")
    elif kind == 1 and lines:
        del lines[min(at, len(lines) - 1)]
        applied.append("yaml_delete_line")
    elif kind == 2 and lines:
        line = lines[min(at, len(lines) - 1)]
        lines.insert(at, line)
        applied.append("yaml_duplicate_line")
    elif kind == 3 and lines:
        index = min(at, len(lines) - 1)
        lines[index] = rng.choice((b"", b"  ", b"\t", b"    ")) + lines[index].lstrip()
        applied.append("yaml_indent")
    else:
        mutation = rng.choice(BYTE_MUTATIONS)
        applied.append(f"yaml_{mutation.__name__}")
        return mutation(rng, b"\n".join(lines))
    return b"\n".join(lines)


def pick_importer(rng: random.Random) -> str:
    return rng.choice(IMPORTERS)


def make_case(importer: str, seed: int) -> Case:
    """The `seed`th input of an importer's family: the same every time."""
    from tests.fuzz_documents import xlsx_case, xml_case

    if importer.startswith("csv:"):
        return csv_case(importer, seed)
    if importer == "xlsx":
        return xlsx_case(seed)
    if importer == "xml":
        return xml_case(seed)
    if importer == "mapping":
        return mapping_case(seed)
    raise ValueError(f"no importer {importer}")


def seed_case(importer: str) -> Case:
    """The importer's valid seed, unmutated (a workbook of placement costs for xlsx)."""
    from tests.fuzz_documents import build_plain_workbook

    if importer.startswith("csv:"):
        name = importer.removeprefix("csv:")
        text = OTHER_903["reviews"] if name == "ssda903_other" else CSV_SEEDS[name]
        return Case(importer, f"{name}.csv", text.encode(), None, ())
    if importer == "xlsx":
        data = build_plain_workbook(CSV_SEEDS["placement_costs"])
        return Case(importer, "placement_costs.xlsx", data, None, ())
    if importer == "xml":
        return Case(importer, "return.xml", XML_SEED.encode(), None, ())
    if importer == "mapping":
        return Case(importer, "export.csv", EXPORT_SEED.encode(), MAPPING_SEED.encode(), ())
    raise ValueError(f"no importer {importer}")
