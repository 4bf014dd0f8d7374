"""The shipped reference data: unmodified, recognised, licensed, and read to the published figure.

The pinned numbers are read off the published files by eye (e.g. `cla_number_and_rate_per_10k_
children.csv`, row "2025, Local authority, 209, Lewisham, …, Children looked after on 31 March each
year, 62052, 439, 71").
"""

from __future__ import annotations

import hashlib

import pytest

from carecast.reference.catalogue import recognise
from carecast.reference.dataset import ReferenceData, load_reference
from carecast.reference.library import DATA, SHIPPED, shipped_files

# SHA-256 of each file as published (shared/reference/SOURCES.md): shipped byte for byte.
PUBLISHED_SHA256 = {
    "cla_number_and_rate_per_10k_children.csv": (
        "8228ce8c6f55fb1ee59b65988dad56c79ea7703c03eedd5c0f8af5997d6686ce"
    ),
    "cla_number_and_rate_per_10k_children_2018_to_2022.csv": (
        "4af5a630825299b9e7600f0e4da3fb1205f9a8d2fe26a986e9cd519cc588ba23"
    ),
    "csww_indicators_2017_to_2025.csv": (
        "9e058bac193cc5b03f0d21ebe4259c8935d236dbf59f09d90b3e0916bfbca95f"
    ),
    "la_children_who_ceased_during_the_year.csv": (
        "eca2b256c8d616d25650062a1c4761425c3c7f78fb940049f3c9050bedfec467"
    ),
    "la_cla_during_year_new_placements.csv": (
        "4d7cf7e62eb2946ce64c4c967f73e628251d50fd0b1bff962fa06f78ed9d13c9"
    ),
    "national_cla_on_31_march_by_placement_provider_placement_type_and_locality.csv": (
        "c406eb1e9192ca6d084e60184701a93b58d9725eeafacb94229cc34ba1928ff9"
    ),
    "New_Statistical_Neighbour_Groupings_April_2021.csv": (
        "ee9328d1d0157050032acfd5a8fef6274fe6621e93b1da6b7098f7719eaca2b6"
    ),
    "ons_mid-year_population_estimates_2012_to_2024.csv": (
        "bd6420a0edd97dc2bfb25e70955399778a460483d5c417032b8fcb92230bfaa3"
    ),
    "RO3_2023-24_data_by_LA.ods": (
        "21afc220fd9e38c516ab067fb67e0d7f0d81f65eaa644483fecee5d7acf0dbdd"
    ),
    "RO3_LA_Data_2024-25_data_by_LA.ods": (
        "0bd086a547e5f3c21debe7ad3ec63f01459a0f8fed34b40662ee90f9166a35f7"
    ),
    "SFR50_ADM2017.csv": "6db2de095b1727b4c767296cad1bc6e5691f1d5af711af4534ba048f55ec5243",
    "SFR50_CEA2017.csv": "6883ee88b0b720c706b93cb2b45b150c8c8caf28c2660cc318d2019ef471653e",
    "SFR50_CLA2017.csv": "90ef2eac0d0875b3bf5150e947bbd00d5fa6e6f920c5ac885e1f841e32e81505",
    "sn_model_2025_wide.csv": "948bcdbe76f92e448e39ff4fc9f20b9dd382e0ce419e1f0da65877b99d950e22",
}


@pytest.fixture(scope="module")
def data() -> ReferenceData:
    return load_reference(shipped_files())


def value(data: ReferenceData, area: str, measure: str, year: str) -> float | None:
    return data.index[(area, measure)][year].value


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_shipped_file_is_the_published_file_unmodified(name: str) -> None:
    digest = hashlib.sha256((DATA / name).read_bytes()).hexdigest()
    assert digest == PUBLISHED_SHA256[name]


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_shipped_file_is_recognised_by_its_columns(name: str) -> None:
    kind = recognise(DATA / name)
    assert kind is not None
    assert kind.key == SHIPPED[name]


def test_the_licence_note_names_every_file_and_the_open_government_licence() -> None:
    note = (DATA / "LICENCE-DATA.md").read_text(encoding="utf-8")
    assert "Open Government Licence v3.0" in note
    assert all(f"`{name}`" in note for name in SHIPPED)
    assert sorted(p.name for p in DATA.iterdir() if p.name != "LICENCE-DATA.md") == sorted(SHIPPED)


def test_lewishams_children_looked_after_are_pinned_to_each_release(data: ReferenceData) -> None:
    # SFR50_CLA2017.csv: geog_c 209, CLA_Mar2017 = 457.
    assert value(data, "209", "cla_31_march", "2017") == 457
    # The 2022 release (2018–2022): 480 on 31 March 2018, population 68,272, rate 70.
    assert value(data, "209", "cla_31_march", "2018") == 480
    assert value(data, "209", "cla_31_march:population", "2018") == 68272
    assert value(data, "209", "cla_31_march:rate", "2018") == 70
    # The 2025 release: 439 on 31 March 2025 of 62,052 children, rate 71.
    assert value(data, "209", "cla_31_march", "2025") == 439
    assert value(data, "209", "cla_31_march:population", "2025") == 62052
    assert value(data, "209", "cla_31_march:rate", "2025") == 71
    # England, 2025 release: 81,770 of 12,183,016, rate 67.
    assert value(data, "england", "cla_31_march", "2025") == 81770
    assert value(data, "england", "cla_31_march:rate", "2025") == 67


def test_the_newer_release_replaces_the_older_one_figure_by_figure(data: ReferenceData) -> None:
    # 2021 is in both releases: the 2022 release said 468 of 68,276 (rate 69); the 2025 release
    # revised the population after the 2021 Census to 65,999 (rate 71). The newer release wins.
    found = data.index[("209", "cla_31_march:population")]["2021"]
    assert found.value == 65999
    assert found.file == "cla_number_and_rate_per_10k_children.csv"
    assert data.index[("209", "cla_31_march")]["2019"].file.endswith("2018_to_2022.csv")


def test_lewishams_statistical_neighbours_come_from_the_2025_model(data: ReferenceData) -> None:
    group = data.neighbours.filter(data.neighbours["la_code"] == "209").sort("rank")
    assert group["neighbour"].to_list() == [
        "208", "210", "306", "205", "203", "320", "309", "302", "383", "355"
    ]  # fmt: skip
    assert group["closeness"].to_list()[:2] == ["very close", "close"]
    assert set(group["kind"]) == {"neighbours_2025"}


def test_councils_since_reorganised_keep_their_april_2021_groupings(data: ReferenceData) -> None:
    # Northamptonshire (928) split in 2021; only the April 2021 groupings list it: SN1 886 (Kent).
    group = data.neighbours.filter(data.neighbours["la_code"] == "928").sort("rank")
    assert group["neighbour"].to_list()[:3] == ["886", "891", "866"]
    assert set(group["kind"]) == {"neighbours_2021"}


def test_suppressed_cells_are_kept_as_marks_not_numbers(data: ReferenceData) -> None:
    adopted = data.index[("209", "sfr50:CLA_Adopt")]["2017"]
    assert (adopted.value, adopted.symbol) == (None, "x")


def test_jointly_reported_workforce_figures_reach_both_councils(data: ReferenceData) -> None:
    # Kingston (314) and Richmond (318) report their social workers together as '314 / 318'.
    kingston = data.index[("314", "agency_rate_fte")]["2024"]
    richmond = data.index[("318", "agency_rate_fte")]["2024"]
    assert kingston.joint == richmond.joint == "314 / 318"
    assert kingston.value == richmond.value
    assert value(data, "209", "agency_rate_fte", "2017") == 27.3
    assert value(data, "england", "agency_rate_fte", "2017") == 15.8


def test_revenue_outturn_rows_are_found_by_ons_code_in_both_layouts(data: ReferenceData) -> None:
    # RO3 2024-25, Lewisham (E09000023): total children's social care C7 = 120,816 (£ thousand),
    # children looked after C7 = 74,318; RO3 2023-24 (six-row header): total 105,982.
    assert value(data, "209", "RO3-csctot-net-cur-exp", "2024-25") == 120816
    assert value(data, "209", "RO3-csclkd-net-cur-exp", "2024-25") == 74318
    assert value(data, "209", "RO3-csctot-net-cur-exp", "2023-24") == 105982
    england = value(data, "england", "RO3-csctot-net-cur-exp", "2024-25")
    assert england == pytest.approx(15_556_137.15471)
    birmingham = data.index[("330", "RO3-csctot-net-cur-exp")]["2024-25"]
    assert (birmingham.value, birmingham.symbol) == (None, "[x]")


def test_names_and_codes_are_known_both_ways(data: ReferenceData) -> None:
    assert data.names["209"] == "Lewisham"
    assert data.ons_codes["209"] == "E09000023"
    assert data.new_codes["E09000023"] == "209"
    assert {"201", "420", "835", "909", "928", "942", "943"} <= set(data.council_codes())
