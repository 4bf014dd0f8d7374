"""DfE's tidy CSV releases read into observations: one row per area, year and measure.

Every loader returns the same columns (`OBSERVATION_COLUMNS`): `area` (a DfE three-digit local
authority code, or `england`), `year` (the release's `time_period`: `2025` is the year ending, or
the census on, 31 March 2025 — 30 September for the workforce), `measure` (a carecast key), `value`
(a number, or null when suppressed), `symbol` (DfE's suppression mark when there is no number),
`selection` (the column and filter the value came from, for citing it) and `joint` (the combined
code when DfE reports two councils together, e.g. `314 / 318`). Regional rows are not kept.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

OBSERVATION_COLUMNS = ("area", "year", "measure", "value", "symbol", "selection", "joint")
AREA_COLUMNS = ("la_code", "new_la_code", "la_name")
ENGLAND = "england"
LA_LEVEL = "Local authority"

# DfE's population_type labels (both releases' spellings) → carecast measure keys.
FLOW_KEYS = (
    ("31 march", "cla_31_march"),
    ("starting", "cla_started"),
    ("ceasing", "cla_ceased"),
)
WORKFORCE_MEASURES = (
    "inpost_fte",
    "agency_fte",
    "agency_rate_fte",
    "vacancy_fte",
    "vacancy_rate_fte",
    "turnover_rate_fte",
    "caseload_fte",
)


def read_text(path: Path) -> pl.DataFrame:
    """Every cell as text, column names trimmed and lower-cased (a BOM is dropped)."""
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True)
    return frame.rename({c: c.strip().lstrip("\ufeff").lower() for c in frame.columns})


def _areas(frame: pl.DataFrame) -> pl.DataFrame:
    """Keep national and local-authority rows; split DfE's joint codes ('314 / 318') into both."""
    level = pl.col("geographic_level")
    kept = frame.filter(level.is_in(["National", LA_LEVEL]))
    code = pl.col("old_la_code").fill_null("").str.strip_chars()
    kept = kept.with_columns(
        pl.when(level == "National").then(pl.lit(ENGLAND)).otherwise(code).alias("area"),
        pl.when(code.str.contains("/")).then(code).otherwise(None).alias("joint"),
    )
    kept = kept.with_columns(pl.col("area").str.split("/")).explode("area")
    return kept.with_columns(pl.col("area").str.strip_chars()).filter(pl.col("area") != "")


def area_names(frame: pl.DataFrame) -> pl.DataFrame:
    """Each local authority's old and new codes and name, as a release spells them."""
    if not {"old_la_code", "new_la_code", "la_name"} <= set(frame.columns):
        return pl.DataFrame(schema=dict.fromkeys(AREA_COLUMNS, pl.String))
    rows = frame.filter(pl.col("geographic_level") == LA_LEVEL)
    return rows.select(
        pl.col("old_la_code").str.strip_chars().alias("la_code"),
        pl.col("new_la_code").str.strip_chars().alias("new_la_code"),
        pl.col("la_name").str.strip_chars().alias("la_name"),
    ).unique()


Loaded = tuple[pl.DataFrame, pl.DataFrame]  # (observations, area names)


def observations(
    frame: pl.DataFrame, measure: pl.Expr, value: str, selection: pl.Expr
) -> pl.DataFrame:
    """The standard observation columns from a frame that has `area`, `time_period`, `joint`."""
    raw = pl.col(value).str.strip_chars()
    number = raw.str.replace_all(",", "").cast(pl.Float64, strict=False)
    return frame.select(
        pl.col("area"),
        pl.col("time_period").str.strip_chars().alias("year"),
        measure.alias("measure"),
        number.alias("value"),
        pl.when(number.is_null()).then(raw).otherwise(None).alias("symbol"),
        selection.alias("selection"),
        pl.col("joint") if "joint" in frame.columns else pl.lit(None, pl.String).alias("joint"),
    )


def load_cla_rates(path: Path) -> Loaded:
    """Children looked after on 31 March, starting and ceasing: counts, populations, rates."""
    text = read_text(path)
    frame = _areas(text)
    kind_column = "population_type" if "population_type" in frame.columns else "population_count"
    count_column = "children_count" if "children_count" in frame.columns else "number"
    label = pl.col(kind_column).str.to_lowercase()
    key = pl.lit(None, pl.String)
    for needle, measure in reversed(FLOW_KEYS):
        key = pl.when(label.str.contains(needle)).then(pl.lit(measure)).otherwise(key)
    frame = frame.with_columns(key.alias("key")).filter(pl.col("key").is_not_null())
    where = pl.format(" where {} = '{}'", pl.lit(kind_column), pl.col(kind_column))
    parts = [
        observations(
            frame, pl.col("key"), count_column, pl.concat_str(pl.lit(count_column), where)
        ),
        observations(
            frame,
            pl.col("key") + ":population",
            "population_estimate",
            pl.concat_str(pl.lit("population_estimate"), where),
        ),
        observations(
            frame,
            pl.col("key") + ":rate",
            "rate_per_10000",
            pl.concat_str(pl.lit("rate_per_10000"), where),
        ),
    ]
    return pl.concat(parts), area_names(text)


def load_population(path: Path) -> Loaded:
    text = read_text(path)
    frame = _areas(text).filter(pl.col("age_group").str.to_lowercase().str.contains("0 to 17"))
    selection = pl.format("population_estimate where age_group = '{}'", pl.col("age_group"))
    obs = observations(frame, pl.lit("population_0_17"), "population_estimate", selection)
    return obs, area_names(text)


def load_new_placements(path: Path) -> Loaded:
    text = read_text(path)
    frame = _areas(text)
    selection = pl.format(
        "children_count where characteristic = '{}' and breakdown = '{}'",
        pl.col("characteristic"),
        pl.col("breakdown"),
    )
    measure = "new_placements:" + pl.col("breakdown")
    return observations(frame, measure, "children_count", selection), area_names(text)


def load_ceased_reasons(path: Path) -> Loaded:
    text = read_text(path)
    frame = _areas(text).filter(pl.col("cla_group") == "Reason episode ceased")
    selection = pl.format(
        "number where cla_group = 'Reason episode ceased' and characteristic = '{}'",
        pl.col("characteristic"),
    )
    obs = observations(frame, "ceased:" + pl.col("characteristic"), "number", selection)
    return obs, area_names(text)


def load_national_placements(path: Path) -> Loaded:
    frame = read_text(path).filter(pl.col("geographic_level") == "National")
    frame = frame.with_columns(pl.lit(ENGLAND).alias("area"))
    selection = pl.format(
        "number where placement_type = '{}' and placement_provider = '{}'",
        pl.col("placement_type"),
        pl.col("placement_provider"),
    )
    measure = pl.format("placement:{}|{}", pl.col("placement_type"), pl.col("placement_provider"))
    return observations(frame, measure, "number", selection), area_names(frame)


def load_workforce(path: Path) -> Loaded:
    text = read_text(path)
    frame = _areas(text)
    present = [m for m in WORKFORCE_MEASURES if m in frame.columns]
    obs = pl.concat([observations(frame, pl.lit(name), name, pl.lit(name)) for name in present])
    # Joint codes ('314 / 318') name no single council; the per-council rows name them.
    return obs, area_names(text).filter(~pl.col("la_code").str.contains("/"))


LOADERS: dict[str, Callable[[Path], Loaded]] = {
    "cla_rates": load_cla_rates,
    "population": load_population,
    "new_placements": load_new_placements,
    "ceased_reasons": load_ceased_reasons,
    "national_placements": load_national_placements,
    "workforce": load_workforce,
}
