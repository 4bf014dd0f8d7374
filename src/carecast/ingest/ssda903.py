"""SSDA903 header and episode rows → Child and Episode records."""

from __future__ import annotations

from carecast.domain.activity import Child, Episode
from carecast.domain.codes import KNOWN_PLACES, KNOWN_PROVIDERS
from carecast.ingest.rows import RowReader

# SEX was 1/2 until 2023-24 and M/F/U from 2024-25; year-specific checks arrive with [2].
SEX_CODES = frozenset({"1", "2", "M", "F", "U"})


def build_child(row: RowReader) -> Child | None:
    child_id = row.text("CHILD")
    sex = row.code("SEX", SEX_CODES)
    dob = row.date("DOB")
    if row.failed or child_id is None or sex is None or dob is None:
        return None
    return Child(
        child_id=child_id,
        sex=sex,
        dob=dob,
        ethnic=row.text("ETHNIC", required=False),
        upn=row.text("UPN", required=False),
    )


def build_episode(row: RowReader) -> Episode | None:
    child_id = row.text("CHILD")
    decom = row.date("DECOM")
    rne = row.text("RNE")
    ls = row.text("LS")
    place = row.code("PLACE", KNOWN_PLACES)
    provider = row.code("PLACE_PROVIDER", KNOWN_PROVIDERS, required=False)
    dec = row.date("DEC", required=False)
    if (
        row.failed
        or child_id is None
        or decom is None
        or rne is None
        or ls is None
        or place is None
    ):
        return None
    if dec is not None and dec < decom:
        row.problem(
            "DEC", "dec-before-decom", f"DEC {dec:%d/%m/%Y} is before DECOM {decom:%d/%m/%Y}"
        )
        return None
    return Episode(
        child_id=child_id,
        decom=decom,
        rne=rne.upper(),
        ls=ls.upper(),
        cin=(row.text("CIN", required=False) or "").upper(),
        place=place,
        place_provider=provider,
        dec=dec,
        rec=row.text("REC", required=False) if dec is not None else None,
        reason_place_change=row.text("REASON_PLACE_CHANGE", required=False),
        home_post=row.text("HOME_POST", required=False),
        pl_post=row.text("PL_POST", required=False),
        urn=row.text("URN", required=False),
    )
