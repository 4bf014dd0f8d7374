"""The benchmarking page (SQLite and PostgreSQL): the store's council, Lewisham (209) with the small
council's data, among its statistical neighbours and England, each figure with its source, as the
benchmark service gives them; any English council by its code; a code of none refused on the page."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from lxml import html

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.services.benchmark import benchmark_council
from carecast.services.setup import init_store
from tests.test_web_projection import assert_accessible, cells
from tests.webhelp import add_role_users, client, forecast_small_council, signed_in


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Settings:
    """Lewisham in the store, with the small council's data and a forecast at 2018-09; the
    reference releases are the shipped ones (the test's own folder holds none)."""
    settings = Settings(database_url=database_url, reference_dir=tmp_path / "reference")
    init_store(settings, "Lewisham", "209")
    forecast_small_council(settings, tmp_path)
    add_role_users(settings)
    return settings


def test_every_role_sees_the_services_figures_with_their_sources(site: Settings) -> None:
    result = benchmark_council(site)
    assert result.own is not None
    for role in Role:
        response = signed_in(site, role).get("/benchmarking")
        assert response.status_code == 200
        assert_accessible(response.text)
    page = html.fromstring(response.text)
    assert "Lewisham (209, E09000023) against its statistical neighbours and England" in (
        page.xpath("//h1")[0].text_content()
    )
    assert [t.get("id") for t in page.xpath('//table[@class="benchmark"]')] == [
        "cla_rate", "flows", "placement_mix", "workforce", "spend"
    ]  # fmt: skip
    for section in result.sections:
        rows = page.xpath(f'//table[@id="{section.key}"]/tbody/tr')
        assert cells(page, f'//table[@id="{section.key}"]/tbody/tr/th') == [
            r.measure for r in section.rows
        ]
        for row, tr in zip(section.rows, rows, strict=True):
            shown = {td.get("data-who"): td.xpath(".//data/@value") for td in tr.xpath("td")}
            for who, figure in (
                ("council", row.council),
                ("neighbours", row.neighbours),
                ("england", row.england),
                ("own", row.own),
            ):
                expected = [] if figure is None or figure.value is None else [str(figure.value)]
                assert shown[who] == expected, (section.key, row.measure, row.year, who)
    # the latest rate of children looked after, cited as the CLI cites it
    latest = page.xpath('//table[@id="cla_rate"]/tbody/tr')[-1]
    assert latest.get("data-year") == "2025"
    assert latest.xpath('td[@data-who="council"]//data/@value') == ["70.7"]
    assert "cla_number_and_rate_per_10k_children.csv" in latest.text_content()
    # the statistical neighbours, nearest first
    neighbours = page.get_element_by_id("neighbours").text_content()
    assert neighbours.index("(208, ") < neighbours.index("(210, ")
    assert "forecast snapshot" in page.get_element_by_id("own").text_content()
    estimates = page.xpath('//table[@id="estimates"]/tbody/tr')
    assert [e.get("data-basis") for e in estimates] == [e.basis for e in result.estimates]
    assert "published" in [e.basis for e in result.estimates]
    for tr, estimate in zip(estimates, result.estimates, strict=True):
        fewer = tr.xpath('td[@data-what="children-fewer"]//data/@value')
        assert [Decimal(v) for v in fewer] == [estimate.children_fewer]
        pence = tr.xpath('td[@data-what="annual-difference"]//data/@value')
        assert pence == [str(int(estimate.annual_difference * 100))]


def test_any_english_council_by_its_code_and_a_code_of_none_refused(site: Settings) -> None:
    viewer = signed_in(site, Role.VIEWER)
    by_ons = html.fromstring(viewer.get("/benchmarking?la_code=E09000022").text)
    lambeth = benchmark_council(site, "E09000022")
    assert (
        f"{lambeth.name} ({lambeth.la_code}, E09000022)" in by_ons.xpath("//h1")[0].text_content()
    )
    assert not by_ons.xpath('//p[@id="own"]')  # the store holds Lewisham, not this council
    unknown = viewer.get("/benchmarking?la_code=999")
    assert unknown.status_code == 404
    assert_accessible(unknown.text)
    refusal = html.fromstring(unknown.text).get_element_by_id("refusal").text_content()
    assert "no council with code 999" in refusal
    assert html.fromstring(unknown.text).xpath('//input[@id="la_code"]/@value') == ["999"]
    assert viewer.get("/benchmarking?la_code=not-a-code").status_code in (400, 422)
    assert client(site).get("/benchmarking").status_code == 401
