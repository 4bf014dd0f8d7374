"""The report's formats, sections and caseload default, as `carecast report --help` and
`carecast commentary --help` show them.

Copied here because the modules that define them (services.report, reports.sections and
reports.context) import numpy, polars and the store, and help answers without those (issue 9).
tests/test_cli_startup.py fails when a copy and its original differ.
"""

from __future__ import annotations

FORMATS = ("html", "pdf", "docx", "xlsx")  # services.report.FORMATS
DEFAULT_CASELOAD_TARGET = 18  # reports.context.DEFAULT_CASELOAD_TARGET
# The keys of reports.sections.SECTION_TITLES, in the report's order.
SECTION_KEYS = (
    "summary",
    "variance",
    "movement",
    "interval",
    "placements",
    "children",
    "staffing",
    "allowances",
    "actions",
    "reconciliation",
    "track_record",
    "mtfp",
    "benchmark",
    "provenance",
    "methodology",
)
