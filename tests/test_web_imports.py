"""Imports from the browser (SQLite and PostgreSQL): an upload is checked and its problems shown
where they are, with nothing stored; confirming imports it through `import_paths` and audits it;
discarding removes the staged files; a zip leading out of its folder, a zip bomb or an upload
over the cap is refused; only finance and admin may import, and every form needs its token."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import html

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.services import init_store, list_imports
from carecast.services.accounts import audit_entries
from carecast.services.staged_imports import StagingArea, open_staging
from carecast.services.upload_files import StagingLimits, UploadRefused
from carecast.web import create_app
from carecast.web.routes.imports import sorted_issues
from tests.fixtures_small import FILES
from tests.storehelp import dump
from tests.test_web_projection import assert_accessible
from tests.webhelp import add_role_users, client, csrf_of, sign_in, signed_in

COST_CENTRES = b"COST_CENTRE,SERVICE_LINE\nIFA1,placements_ifa\nSW1,staffing\n"
BUDGET = b"FINANCIAL_YEAR,SERVICE_LINE,BUDGET\n2018-19,placements_ifa,40000\n"
# Row 2 is good; rows 3 and 4 hold amounts that are not numbers.
BAD_BUDGET = (
    b"FINANCIAL_YEAR,SERVICE_LINE,BUDGET\n2018-19,placements_ifa,40000\n"
    b"2018-19,staffing,lots\n2018-19,other_costs,plenty\n"
)
AS_OF = {"as_of": "2018-09-30"}
# Sign-ins touch these; everything else must be exactly as it was.
SIGN_IN_TABLES = ("users", "web_sessions")
SSDA903 = ("header.csv", "episodes.csv")


@pytest.fixture
def site(settings: Settings) -> Settings:
    add_role_users(settings)
    return settings


def staged_in(browser: TestClient, folder: Path, limits: StagingLimits | None = None) -> Path:
    """Let the browser's application stage its uploads under `folder`, to look at them."""
    browser.app.state.staging = open_staging(limits, parent=folder)  # type: ignore[attr-defined]
    return folder


def store_of(settings: Settings) -> dict[str, Any]:
    return {k: v for k, v in dump(settings.database_url).items() if k not in SIGN_IN_TABLES}


def upload(
    browser: TestClient, files: list[tuple[str, bytes]], *, token: str | None = "page"
) -> Any:
    form = dict(AS_OF)
    if token == "page":
        form["csrf_token"] = csrf_of(browser.get("/imports").text)
    elif token is not None:
        form["csrf_token"] = token
    sent = [("files", (name, content, "application/octet-stream")) for name, content in files]
    return browser.post("/imports", data=form, files=sent, follow_redirects=False)


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def problem_rows(page: str) -> list[list[str]]:
    rows = html.fromstring(page).xpath('//table[@id="problems"]/tbody/tr')
    return [[cell.text_content().strip() for cell in row.xpath("./td")] for row in rows]


def text_of(response: Any) -> str:
    """The page's text as a reader sees it (entities such as &#39; read as their characters)."""
    return " ".join(html.fromstring(response.text).text_content().split())


def staged_folders(folder: Path) -> list[Path]:
    return [p for root in folder.glob("carecast-uploads-*") for p in root.iterdir()]


def test_an_extract_with_errors_shows_each_located_problem_and_stores_nothing(
    site: Settings, tmp_path: Path
) -> None:
    finance = signed_in(site, Role.FINANCE)
    staged_in(finance, tmp_path)
    before = store_of(site)
    answer = upload(finance, [("cc.csv", COST_CENTRES), ("budget.csv", BAD_BUDGET)])
    assert answer.status_code == 303
    review = finance.get(answer.headers["location"])
    assert review.status_code == 200
    assert_accessible(review.text)
    rows = problem_rows(review.text)
    # File, row, column, rule, message, severity: named as uploaded, not by the staged path.
    assert [r[:3] + r[5:] for r in rows] == [
        ["budget.csv", "3", "BUDGET", "error"],
        ["budget.csv", "4", "BUDGET", "error"],
    ]
    assert "2 error(s) and 0 warning(s): these files cannot be imported" in review.text
    assert not html.fromstring(review.text).xpath('//form[contains(@action, "/confirm")]')
    assert store_of(site) == before
    assert list_imports(site)[1] == []
    # Confirming it anyway checks again, and stores nothing.
    upload_id = answer.headers["location"].rsplit("/", 1)[1]
    forced = finance.post(
        f"/imports/{upload_id}/confirm", data={"csrf_token": csrf_of(review.text)}
    )
    assert forced.status_code == 422
    assert "Checked again on confirmation" in forced.text
    assert store_of(site) == before


def test_problems_sort_by_any_column_either_way(site: Settings, tmp_path: Path) -> None:
    finance = signed_in(site, Role.FINANCE)
    staged_in(finance, tmp_path)
    address = upload(finance, [("budget.csv", BAD_BUDGET)]).headers["location"]
    by_row_down = finance.get(f"{address}?sort=row&order=desc")
    assert [r[1] for r in problem_rows(by_row_down.text)] == ["4", "3"]
    header = html.fromstring(by_row_down.text).xpath('//th[@aria-sort="descending"]')
    assert [h.text_content().split()[0] for h in header] == ["Row"]
    by_message = finance.get(f"{address}?sort=message")
    messages = [r[4] for r in problem_rows(by_message.text)]
    assert messages == sorted(messages)
    assert finance.get(f"{address}?sort=nonsense").status_code == 200  # the default order


def test_every_problem_downloads_as_csv_or_a_spreadsheet(site: Settings, tmp_path: Path) -> None:
    finance = signed_in(site, Role.FINANCE)
    staged_in(finance, tmp_path)
    address = upload(finance, [("budget.csv", BAD_BUDGET)]).headers["location"]
    listed = finance.get(f"{address}/problems.csv")
    assert listed.status_code == 200
    assert listed.headers["content-disposition"] == 'attachment; filename="problems.csv"'
    lines = listed.content.decode("utf-8-sig").splitlines()
    assert [line.split(",")[:5] for line in lines] == [
        ["file", "row", "column", "rule", "severity"],
        ["budget.csv", "3", "BUDGET", "bad-number", "error"],
        ["budget.csv", "4", "BUDGET", "bad-number", "error"],
    ]
    book = finance.get(f"{address}/problems.xlsx")
    assert book.status_code == 200
    assert book.content[:2] == b"PK"  # a zip, as every .xlsx is
    assert finance.get(f"{address}/problems.pdf").status_code == 404
    [folder] = staged_folders(tmp_path)
    assert not list(folder.glob("problems-*"))  # each written for its download, then removed
    assert signed_in(site, Role.ANALYST).get(f"{address}/problems.csv").status_code == 403


def test_sorting_puts_errors_first_then_file_row_and_column() -> None:
    from carecast.errors import Issue, Severity

    warning = Issue("a.csv", 9, "X", "w", "late", Severity.WARNING)
    late = Issue("b.csv", 7, "Y", "e", "bad")
    early = Issue("b.csv", 2, "Y", "e", "bad")
    whole_file = Issue("b.csv", None, None, "e", "no rows")
    issues = (warning, late, early, whole_file)
    assert sorted_issues(issues, "severity", descending=False) == [whole_file, early, late, warning]
    assert sorted_issues(issues, "file", descending=True) == [whole_file, early, late, warning]
    assert sorted_issues(issues, "row", descending=False) == [whole_file, early, late, warning]


def test_a_valid_upload_is_stored_on_confirmation_and_audited(
    site: Settings, tmp_path: Path
) -> None:
    finance = signed_in(site, Role.FINANCE)
    staged_in(finance, tmp_path)
    before = store_of(site)
    address = upload(finance, [("cc.csv", COST_CENTRES), ("budget.csv", BUDGET)]).headers[
        "location"
    ]
    review = finance.get(address)
    assert "No problems found." in review.text
    files = html.fromstring(review.text).xpath('//table[@id="files"]/tbody/tr')
    assert [[c.text_content() for c in r] for r in files] == [
        ["budget.csv", "budget", "1"],
        ["cc.csv", "cost_centres", "2"],
    ]
    assert store_of(site) == before  # checked, not stored
    assert len(staged_folders(tmp_path)) == 1
    done = finance.post(f"{address}/confirm", data={"csrf_token": csrf_of(review.text)})
    assert done.status_code == 200
    assert_accessible(done.text)
    stored = html.fromstring(done.text).xpath('//table[@id="stored"]/tbody/tr')
    assert [[c.text_content() for c in r] for r in stored] == [
        ["budget", "1"],
        ["cost_centres", "2"],
    ]
    assert html.fromstring(done.text).xpath('//a[@href="/dashboard"]')
    _council, batches = list_imports(site)
    assert [(b.file_name, b.dataset, b.row_count, b.as_of) for b in batches] == [
        ("budget.csv", "budget", 1, date(2018, 9, 30)),
        ("cc.csv", "cost_centres", 2, date(2018, 9, 30)),
    ]
    entry = audit_entries(site, 1)[0]
    assert (entry.actor, entry.action, entry.subject) == ("finance", "import", "budget.csv, cc.csv")
    assert entry.source.startswith("web from ")
    assert entry.after is not None
    assert entry.after["as_of"] == "2018-09-30"
    assert [(s["file"], s["rows"]) for s in entry.after["stored"]] == [
        ("budget.csv", 1),
        ("cc.csv", 2),
    ]
    assert staged_folders(tmp_path) == []  # the staged files are gone
    again = finance.post(f"{address}/confirm", data={"csrf_token": csrf_of(review.text)})
    assert again.status_code == 404  # a second click stores nothing more
    assert len(list_imports(site)[1]) == 2


def test_a_folder_as_a_zip_keeps_its_members_paths(site: Settings, tmp_path: Path) -> None:
    admin = signed_in(site, Role.ADMIN)
    staged_in(admin, tmp_path)
    folder = zipped({"extract/cc.csv": COST_CENTRES, "extract/more/budget.csv": BUDGET})
    address = upload(admin, [("extract.zip", folder)]).headers["location"]
    review = admin.get(address)
    admin.post(f"{address}/confirm", data={"csrf_token": csrf_of(review.text)})
    names = [b.file_name for b in list_imports(site)[1]]
    assert names == ["extract/cc.csv", "extract/more/budget.csv"]


def test_discarding_removes_the_staged_files_and_is_audited(site: Settings, tmp_path: Path) -> None:
    finance = signed_in(site, Role.FINANCE)
    staged_in(finance, tmp_path)
    address = upload(finance, [("budget.csv", BAD_BUDGET)]).headers["location"]
    [staged] = staged_folders(tmp_path)
    assert (staged / "upload" / "budget.csv").read_bytes() == BAD_BUDGET
    listed = finance.get("/imports")
    assert_accessible(listed.text)
    assert html.fromstring(listed.text).xpath(f'//table[@id="waiting"]//a[@href="{address}"]')
    token = csrf_of(listed.text)
    gone = finance.post(f"{address}/discard", data={"csrf_token": token}, follow_redirects=False)
    assert (gone.status_code, gone.headers["location"]) == (303, "/imports?discarded=1")
    assert (
        "The upload was discarded; nothing was stored."
        in finance.get(gone.headers["location"]).text
    )
    assert "was discarded" not in finance.get("/imports").text
    assert staged_folders(tmp_path) == []
    entry = audit_entries(site, 1)[0]
    assert (entry.actor, entry.action, entry.subject) == (
        "finance",
        "import_discarded",
        "budget.csv",
    )
    assert entry.after == {
        "as_of": "2018-09-30",
        "files": ["budget.csv"],
        "errors": 2,
        "warnings": 0,
    }
    assert finance.get(address).status_code == 404
    assert finance.post(f"{address}/confirm", data={"csrf_token": token}).status_code == 404
    assert list_imports(site)[1] == []


@pytest.mark.parametrize("member", ["../escaped.csv", "/tmp/escaped.csv", "a/../../escaped.csv"])
def test_a_zip_whose_member_leads_out_of_its_folder_is_refused(
    site: Settings, tmp_path: Path, member: str
) -> None:
    finance = signed_in(site, Role.FINANCE)
    staged_in(finance, tmp_path)
    refused = upload(finance, [("evil.zip", zipped({"cc.csv": COST_CENTRES, member: BUDGET}))])
    assert refused.status_code == 400
    assert f"the member '{member}' would be written outside the upload's folder" in text_of(refused)
    assert staged_folders(tmp_path) == []
    assert not list(tmp_path.rglob("escaped.csv"))
    assert not Path("/tmp/escaped.csv").exists()


def test_zip_bombs_and_crowded_zips_are_refused_by_what_they_unpack_to(
    site: Settings, tmp_path: Path
) -> None:
    staging = StagingArea(StagingLimits(unpacked_bytes=1_000_000, members=3), tmp_path)
    # 2 MB of zeros deflate to about 2 KB: the zip is small, its content is not.
    bomb = zipped({"cc.csv": COST_CENTRES + b"0" * 2_000_000})
    assert len(bomb) < 10_000
    with pytest.raises(UploadRefused, match=r"bomb\.zip unpacks to more than 1,000,000 bytes"):
        staging.stage(site, "finance", [("bomb.zip", io.BytesIO(bomb))], date(2018, 9, 30))
    crowded = zipped({f"{n}.csv": COST_CENTRES for n in range(4)})
    with pytest.raises(UploadRefused, match=r"crowded\.zip holds 4 entries; at most 3"):
        staging.stage(site, "finance", [("crowded.zip", io.BytesIO(crowded))], date(2018, 9, 30))
    with pytest.raises(UploadRefused, match="cannot be unpacked"):
        staging.stage(site, "finance", [("not.zip", io.BytesIO(b"PK no zip"))], date(2018, 9, 30))
    assert staged_folders(tmp_path) == []


def test_an_upload_over_the_cap_is_refused_whether_or_not_its_length_says_so(
    site: Settings, tmp_path: Path
) -> None:
    finance = signed_in(site, Role.FINANCE)
    staged_in(finance, tmp_path, StagingLimits(upload_bytes=1_000))
    too_long = upload(finance, [("cc.csv", COST_CENTRES + b"x" * 100_000)])
    assert too_long.status_code == 400
    assert "at most 1,000 bytes are taken at once" in too_long.text  # from its Content-Length
    over = upload(finance, [("cc.csv", COST_CENTRES + b"x" * 2_000)])  # within the form's slack
    assert over.status_code == 400
    assert "the upload is larger than 1,000 bytes" in over.text  # counted as it was kept
    assert staged_folders(tmp_path) == []


def test_files_carecast_does_not_read_are_refused(site: Settings, tmp_path: Path) -> None:
    finance = signed_in(site, Role.FINANCE)
    staged_in(finance, tmp_path)
    refused = upload(finance, [("notes.docx", b"not a table")])
    assert refused.status_code == 400
    assert "notes.docx: carecast reads CSV, XLSX and SSDA903 XML files" in refused.text
    missing = finance.post(
        "/imports",
        data={"as_of": "30/09/2018", "csrf_token": csrf_of(finance.get("/imports").text)},
        files=[("files", ("", b"", "application/octet-stream"))],
    )
    assert missing.status_code == 422
    assert_accessible(missing.text)
    assert "give the date the data describes, as YYYY-MM-DD" in missing.text
    assert "choose a file, several files, or a folder as a .zip" in missing.text


def test_only_finance_and_admin_may_import(site: Settings, tmp_path: Path) -> None:
    """Every imports route, as each role and anonymously, against a finance user's upload."""
    finance = signed_in(site, Role.FINANCE)
    staged_in(finance, tmp_path)
    address = upload(finance, [("cc.csv", COST_CENTRES)]).headers["location"]
    reads = ["/imports", address, f"{address}/problems.csv"]
    writes = [f"{address}/confirm", f"{address}/discard"]
    anonymous = client(site)
    for path in reads:
        assert anonymous.get(path, follow_redirects=False).status_code == 401
    for role in Role:
        browser = signed_in(site, role)
        browser.app.state.staging = finance.app.state.staging  # type: ignore[attr-defined]
        page = browser.get("/imports")
        allowed = role.includes(Role.FINANCE)
        assert page.status_code == (200 if allowed else 403)
        assert bool(html.fromstring(page.text).xpath('//nav//a[@href="/imports"]')) == allowed
        if allowed:
            continue
        assert f"Your role ({role.value}) does not allow this page" in page.text
        assert {browser.get(path).status_code for path in reads} == {403}
        token = csrf_of(browser.get("/dashboard").text)  # the sign-out form's
        assert upload(browser, [("cc.csv", COST_CENTRES)], token=token).status_code == 403
        assert {browser.post(p, data={"csrf_token": token}).status_code for p in writes} == {403}
    assert len(staged_folders(tmp_path)) == 1  # the finance user's upload alone, still waiting
    assert finance.get(address).status_code == 200
    assert list_imports(site)[1] == []


def test_another_users_upload_is_not_theirs_to_see_or_confirm(
    site: Settings, tmp_path: Path
) -> None:
    finance = signed_in(site, Role.FINANCE)
    staged_in(finance, tmp_path)
    address = upload(finance, [("cc.csv", COST_CENTRES)]).headers["location"]
    admin = signed_in(site, Role.ADMIN)
    admin.app.state.staging = finance.app.state.staging  # type: ignore[attr-defined]
    assert admin.get(address).status_code == 404
    token = csrf_of(admin.get("/imports").text)
    assert admin.post(f"{address}/confirm", data={"csrf_token": token}).status_code == 404
    assert finance.get(address).status_code == 200


def test_every_imports_form_needs_its_csrf_token(site: Settings, tmp_path: Path) -> None:
    finance = signed_in(site, Role.FINANCE)
    staged_in(finance, tmp_path)
    refused = upload(finance, [("cc.csv", COST_CENTRES)], token=None)
    assert refused.status_code == 403
    assert "security token is missing or out of date" in refused.text
    assert upload(finance, [("cc.csv", COST_CENTRES)], token="forged").status_code == 403
    assert staged_folders(tmp_path) == []
    address = upload(finance, [("cc.csv", COST_CENTRES)]).headers["location"]
    for action in ("confirm", "discard"):
        assert finance.post(f"{address}/{action}", data={}).status_code == 403
    assert finance.get(address).status_code == 200  # still waiting
    assert list_imports(site)[1] == []


def test_an_upload_left_waiting_expires(site: Settings, tmp_path: Path) -> None:
    staging = StagingArea(StagingLimits(kept=timedelta(hours=2)), tmp_path)
    staged = staging.stage(
        site, "finance", [("cc.csv", io.BytesIO(COST_CENTRES))], date(2018, 9, 30)
    )
    staging.sweep(datetime.now(UTC) + timedelta(hours=1))
    assert [s.upload_id for s in staging.waiting("finance")] == [staged.upload_id]
    staging.sweep(datetime.now(UTC) + timedelta(hours=3))
    assert staged_folders(tmp_path) == []
    staging.close()
    assert not list(tmp_path.glob("carecast-uploads-*"))


def test_a_pseudonymising_council_gets_pseudonyms_from_the_web_as_from_the_cli(
    database_url: str, tmp_path: Path
) -> None:
    key = tmp_path / "council.key"
    key.write_text("9f" * 32, encoding="utf-8")
    key.chmod(0o600)
    settings = Settings(database_url=database_url, pseudonymisation_key_file=key)
    init_store(settings, "Test Borough", "999", pseudonymise=True)
    add_role_users(settings)
    episodes = {name: FILES[name].replace("C1,", "ZQX4417,").encode() for name in SSDA903}
    keyless = signed_in(settings.model_copy(update={"pseudonymisation_key_file": None}), Role.ADMIN)
    staged_in(keyless, tmp_path / "keyless")
    refused = upload(keyless, list(episodes.items()))
    assert refused.status_code == 400
    assert "pseudonymising needs the council's key file" in text_of(refused)
    finance = signed_in(settings, Role.FINANCE)
    staged_in(finance, tmp_path / "staged")
    address = upload(finance, list(episodes.items())).headers["location"]
    review = finance.get(address)
    assert "ZQX4417" not in review.text
    finance.post(f"{address}/confirm", data={"csrf_token": csrf_of(review.text)})
    assert sorted(b.dataset for b in list_imports(settings)[1]) == [
        "ssda903_episodes",
        "ssda903_header",
    ]
    assert "ZQX4417" not in repr(dump(settings.database_url))


def test_uploads_waiting_when_one_worker_stops_wait_on_for_the_others(site: Settings) -> None:
    """With several worker processes an upload may be confirmed by another worker than the one
    that staged it: the store's staging directory is shared, and outlives any one of them."""
    first, second = create_app(site), create_app(site)
    with TestClient(first, base_url="https://testserver") as browser:
        assert sign_in(browser, "finance").status_code == 303
        address = upload(browser, [("cc.csv", COST_CENTRES)]).headers["location"]
        cookies = dict(browser.cookies)
    directory = first.state.staging.directory
    assert directory is not None
    assert directory.stat().st_mode & 0o777 == 0o700  # this user's alone
    with TestClient(second, base_url="https://testserver", cookies=cookies) as other:
        review = other.get(address)
        assert review.status_code == 200
        confirmed = other.post(f"{address}/confirm", data={"csrf_token": csrf_of(review.text)})
        assert confirmed.status_code == 200
    assert [b.dataset for b in list_imports(site)[1]] == ["cost_centres"]


def test_an_export_read_through_a_column_mapping_is_checked_and_stored_as_the_cli_would(
    site: Settings, tmp_path: Path
) -> None:
    """The ContrOCC-style sample (its own headings, 'Independent Fostering Agency', £ amounts,
    01-Apr-2018 dates) uploaded with examples/mappings' YAML: read as placement commitments."""
    examples = Path(__file__).resolve().parents[1] / "examples" / "mappings"
    export = (examples / "contrOCC_service_agreements_sample.csv").read_bytes()
    mapping = (examples / "contrOCC_service_agreements.yaml").read_bytes()
    finance = signed_in(site, Role.FINANCE)
    staged_in(finance, tmp_path)
    form = {**AS_OF, "csrf_token": csrf_of(finance.get("/imports").text)}
    sent = [
        ("files", ("service_agreements.csv", export, "text/csv")),
        ("mapping", ("contrOCC.yaml", mapping, "application/yaml")),
    ]
    posted = finance.post("/imports", data=form, files=sent, follow_redirects=False)
    assert posted.status_code == 303, text_of(posted)
    address = posted.headers["location"]
    review = finance.get(address)
    assert "read through the column mapping contrOCC.yaml" in review.text
    files = html.fromstring(review.text).xpath('//table[@id="files"]/tbody/tr')
    assert [c.text_content() for c in files[0]][:2] == ["service_agreements.csv", "placement_costs"]
    finance.post(f"{address}/confirm", data={"csrf_token": csrf_of(review.text)})
    assert [(b.file_name, b.dataset) for b in list_imports(site)[1]] == [
        ("service_agreements.csv", "placement_costs")
    ]
    assert staged_folders(tmp_path) == []

    # without the mapping the same export is not placement commitments at all
    unmapped = upload(finance, [("service_agreements.csv", export)]).headers["location"]
    assert "placement_costs" not in finance.get(unmapped).text


def test_a_mapping_that_is_not_yaml_or_json_is_refused_and_nothing_kept(
    site: Settings, tmp_path: Path
) -> None:
    finance = signed_in(site, Role.FINANCE)
    staged_in(finance, tmp_path)
    form = {**AS_OF, "csrf_token": csrf_of(finance.get("/imports").text)}
    sent = [
        ("files", ("cc.csv", COST_CENTRES, "text/csv")),
        ("mapping", ("mapping.csv", b"a,b\n", "text/csv")),
    ]
    refused = finance.post("/imports", data=form, files=sent, follow_redirects=False)
    assert refused.status_code == 400
    assert "a column mapping as a YAML or JSON file" in text_of(refused)
    assert staged_folders(tmp_path) == []
