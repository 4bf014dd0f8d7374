"""A child's timeline: the episodes and the commitments that pay for them, in date order, for
analysts and above (a viewer never sees a child)."""

from __future__ import annotations

from pathlib import Path

from lxml import html

from carecast.config import Settings
from carecast.domain.accounts import Role
from tests.webhelp import add_role_users, forecast_small_council, signed_in


def test_an_analyst_follows_a_child_from_the_placements_to_their_timeline(
    settings: Settings, tmp_path: Path
) -> None:
    snapshot_id = forecast_small_council(settings, tmp_path)
    add_role_users(settings)
    analyst = signed_in(settings, Role.ANALYST)
    line = html.fromstring(analyst.get(f"/snapshots/{snapshot_id}/lines/placements_ifa").text)
    assert "/children/ZQX4417" in line.xpath('//table[@id="placements"]//a/@href')
    page = html.fromstring(analyst.get("/children/ZQX4417").text)
    episodes = page.xpath('//table[@id="episodes"]/tbody/tr')
    assert len(episodes) == 1
    assert "U4" in episodes[0].text_content()
    assert "Independent fostering agencies" in episodes[0].text_content()
    commitments = page.xpath('//table[@id="commitments"]/tbody/tr')
    assert len(commitments) == 1
    assert "910" in commitments[0].text_content()
    # no contribution is a dash, not 0.000; the page says which import it reads
    cells = [c.text_content().strip() for c in commitments[0].xpath("./th|./td")]
    assert "—" in cells
    assert "0.000" not in commitments[0].text_content()
    assert "As the latest import knows it" in page.text_content()
    assert analyst.get("/children/NOBODY").status_code == 404
    assert signed_in(settings, Role.VIEWER).get("/children/ZQX4417").status_code == 403
