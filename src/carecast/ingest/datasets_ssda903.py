"""The DfE SSDA903 tables, as the CSV form names their columns (the XML form is mapped onto them).

`columns` are what recognises a table (and must be present); everything else DfE defines is
`optional`. Coded columns carry no list here: which codes are valid depends on the collection year,
and rules_ssda903.py checks them against specs/ssda903_codes.csv.
"""

from __future__ import annotations

from carecast.ingest.columns import ColumnSpec, Kind
from carecast.ingest.dataset_spec import Dataset, code, codes, dates, text

CHILD = ColumnSpec("CHILD")
DOB = ColumnSpec("DOB", Kind.DATE)
OC2_FLAGS = (
    "IMMUNISATIONS",
    "TEETH_CHECK",
    "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE",
    "INTERVENTION_RECEIVED",
    "INTERVENTION_OFFERED",
)

SSDA903_DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "ssda903_header",
        "SSDA903 header",
        (CHILD, code("SEX"), DOB, ColumnSpec("ETHNIC", Kind.CODE, value_required=False)),
        (*text("UPN"), *codes("MOTHER"), *dates("MC_DOB")),
        table="children",
        store_columns={"CHILD": "child_id"},
    ),
    Dataset(
        "ssda903_episodes",
        "SSDA903 episodes",
        (
            CHILD,
            ColumnSpec("DECOM", Kind.DATE),
            code("RNE"),
            code("LS"),
            code("CIN", required=False),
            code("PLACE"),
            code("PLACE_PROVIDER", required=False),
            ColumnSpec("DEC", Kind.DATE, value_required=False),
            code("REC", required=False),
        ),
        (*codes("REASON_PLACE_CHANGE"), *text("HOME_POST", "PL_POST", "URN")),
        table="episodes",
        store_columns={"CHILD": "child_id"},
    ),
    Dataset(
        "ssda903_uasc",
        "SSDA903 UASC",
        (CHILD, code("SEX"), DOB, ColumnSpec("DUC", Kind.DATE, value_required=False)),
    ),
    Dataset(
        "ssda903_reviews",
        "SSDA903 reviews",
        (CHILD, DOB, ColumnSpec("REVIEW", Kind.DATE), code("REVIEW_CODE")),
    ),
    Dataset(
        "ssda903_missing",
        "SSDA903 missing",
        (CHILD, DOB, code("MISSING"), ColumnSpec("MIS_START", Kind.DATE)),
        dates("MIS_END"),
    ),
    Dataset(
        "ssda903_oc2",
        "SSDA903 OC2",
        (CHILD, DOB, code("CONVICTED", required=False), code("HEALTH_CHECK", required=False)),
        (ColumnSpec("SDQ_SCORE", Kind.WHOLE, False), *codes("SDQ_REASON", *OC2_FLAGS)),
    ),
    Dataset(
        "ssda903_oc3",
        "SSDA903 OC3",
        (CHILD, DOB, code("IN_TOUCH"), code("ACTIV"), code("ACCOM")),
    ),
    Dataset(
        "ssda903_ad1",
        "SSDA903 AD1",
        (CHILD, DOB, ColumnSpec("DATE_INT", Kind.DATE), ColumnSpec("DATE_MATCH", Kind.DATE)),
        (
            *codes("FOSTER_CARE", "SEX_ADOPTR", "LS_ADOPTR"),
            ColumnSpec("NB_ADOPTR", Kind.WHOLE, False),
        ),
    ),
    Dataset(
        "ssda903_placed_for_adoption",
        "SSDA903 placed for adoption",
        (
            CHILD,
            DOB,
            ColumnSpec("DATE_PLACED", Kind.DATE),
            ColumnSpec("DATE_PLACED_CEASED", Kind.DATE, value_required=False),
        ),
        codes("REASON_PLACED_CEASED"),
    ),
    Dataset(
        "ssda903_prev_perm",
        "SSDA903 previous permanence",
        (CHILD, DOB, code("PREV_PERM")),
        (*text("LA_PERM"), *dates("DATE_PERM")),
    ),
    Dataset(
        "ssda903_sw_episodes",
        "SSDA903 social worker episodes",
        (CHILD, ColumnSpec("SW_ID"), ColumnSpec("SW_DECOM", Kind.DATE)),
        (*dates("DOB", "SW_DEC"), *codes("SW_REASON")),
    ),
    Dataset(
        "ssda903_dolo",
        "SSDA903 deprivation of liberty",
        (CHILD, ColumnSpec("DOLO_START", Kind.DATE)),
        dates("DOB", "DOLO_END"),
    ),
    # Ofsted's provider lists sit beside SSDA903 returns (DfE's validator reads them to check URN
    # and PL_POST); recognising them lets a folder holding one import cleanly.
    Dataset("ofsted_providers", "Ofsted provider list", text("URN", "LOCAL AUTHORITY")),
)
