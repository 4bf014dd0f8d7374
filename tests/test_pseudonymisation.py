"""Pseudonymisation: child identifiers become keyed hashes before anything is stored or shown.

The same child gets the same pseudonym in every file and every year; the key lives outside the
store; no identifier reaches the store, the terminal or an error message.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import stat
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from carecast.cli import run
from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.errors import InvalidInput, Issue, UsageError
from carecast.services import import_paths, init_store, run_forecast
from carecast.services.pseudonymise import PseudonymKey, load_key, redact
from tests.conftest import Writer
from tests.fixtures_small import EXPECTED_OUTTURN, write_small_council
from tests.storehelp import dump

SECRET = b"0123456789abcdef0123456789abcdef-test-only"
AS_OF = date(2018, 9, 30)
# Identifiers distinctive enough that finding one anywhere is a leak, not a coincidence.
RAW_IDS = ("CHILD-ALPHA-7731", "CHILD-BRAVO-9902")


def expected(value: str) -> str:
    return hmac.new(SECRET, value.encode(), hashlib.sha256).hexdigest()[:32]


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "secrets" / "council.key"
    path.parent.mkdir()
    path.write_bytes(SECRET + b"\n")
    path.chmod(0o600)
    return path


def keyed(settings: Settings, key_file: Path) -> Settings:
    return settings.model_copy(update={"pseudonymisation_key_file": key_file})


def small_council_with_raw_ids(folder: Path) -> Path:
    write_small_council(folder)
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^C1,", f"{RAW_IDS[0]},", text, flags=re.MULTILINE)
        text = re.sub(r"^C2,", f"{RAW_IDS[1]},", text, flags=re.MULTILINE)
        path.write_text(text, encoding="utf-8")
    return folder


def everything_stored(database_url: str) -> str:
    return repr(dump(database_url))


def test_every_file_gets_the_same_keyed_pseudonym_for_the_same_child(
    settings: Settings, key_file: Path, tmp_path: Path
) -> None:
    folder = small_council_with_raw_ids(tmp_path / "sep")
    import_paths(keyed(settings, key_file), [folder], AS_OF, pseudonymise=True)
    stored = dump(settings.database_url)
    children = {row[2] for row in stored["children"]}
    episodes = {row[2] for row in stored["episodes"]}
    commitments = {row[2] for row in stored["commitments"]}
    assert children == episodes == commitments == {expected(RAW_IDS[0]), expected(RAW_IDS[1])}
    text = everything_stored(settings.database_url)
    assert not any(raw in text for raw in RAW_IDS)


def test_the_forecast_is_unchanged_by_pseudonymisation(
    settings: Settings, key_file: Path, tmp_path: Path
) -> None:
    folder = small_council_with_raw_ids(tmp_path / "sep")
    import_paths(keyed(settings, key_file), [folder], AS_OF, pseudonymise=True)
    plain = Settings(database_url=f"sqlite:///{tmp_path / 'plain.db'}")
    init_store(plain, "Test Borough", "999")
    import_paths(plain, [folder], AS_OF)

    def outturn(store: Settings) -> dict[str, Decimal]:
        snapshot = run_forecast(store, Period.parse("2018-09"))
        return {line.service_line.value: line.forecast_outturn for line in snapshot.forecast.lines}

    # Joins by child (a placement's 18th birthday comes from the header) work on pseudonyms.
    assert outturn(settings) == outturn(plain)
    assert outturn(plain)["placements_residential"] == Decimal(
        EXPECTED_OUTTURN["placements_residential"]
    )


def test_a_later_year_matches_the_earlier_pseudonyms(
    settings: Settings, key_file: Path, write: Writer
) -> None:
    header = "CHILD,SEX,DOB,ETHNIC,UPN\n"
    first = write("h1.csv", header + f"{RAW_IDS[0]},1,2008-01-01,WBRI,A123456789012\n")
    import_paths(keyed(settings, key_file), [first], date(2018, 3, 31), pseudonymise=True)
    second = write("h2.csv", header + f"{RAW_IDS[0]},1,2008-01-01,WBRI,A123456789012\n")
    second.write_text(second.read_text() + f"{RAW_IDS[1]},2,2009-01-01,WBRI,\n")
    import_paths(keyed(settings, key_file), [second], date(2019, 3, 31), pseudonymise=True)
    rows = dump(settings.database_url)["children"]
    assert sorted((r[2], r[6]) for r in rows) == sorted(
        [
            (expected(RAW_IDS[0]), expected("A123456789012")),
            (expected(RAW_IDS[0]), expected("A123456789012")),
            (expected(RAW_IDS[1]), None),
        ]
    )


def test_allowance_case_ids_are_pseudonymised_too(
    settings: Settings, key_file: Path, write: Writer
) -> None:
    allowances = write(
        "allowances.csv",
        "CASE_ID,ALLOWANCE_TYPE,START_DATE,END_DATE,WEEKLY_AMOUNT\nSGO-4711,sgo,2017-01-01,,200\n",
    )
    import_paths(keyed(settings, key_file), [allowances], AS_OF, pseudonymise=True)
    assert [row[2] for row in dump(settings.database_url)["allowances"]] == [expected("SGO-4711")]


def test_error_messages_never_quote_an_identifier(
    settings: Settings, key_file: Path, write: Writer
) -> None:
    header = write("header.csv", f"CHILD,SEX,DOB,ETHNIC\n{RAW_IDS[0]},1,2008-01-01,WBRI\n")
    episodes = write(
        "episodes.csv",
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n"
        f"{RAW_IDS[0]},2018-05-01,S,C2,N1,U4,PR4,,\n{RAW_IDS[1]},2018-13-01,S,C2,N1,U4,PR4,,\n",
    )
    before = dump(settings.database_url)
    with pytest.raises(InvalidInput) as failure:
        import_paths(keyed(settings, key_file), [header, episodes], AS_OF, pseudonymise=True)
    lines = "\n".join(failure.value.lines() + [i.format() for i in failure.value.issues])
    assert "bad-date" in lines
    assert not any(raw in lines for raw in RAW_IDS)
    assert dump(settings.database_url) == before


def test_redaction_replaces_whole_identifiers_and_quoted_identifier_cells() -> None:
    issue = Issue("f.csv", 3, "DEC", "r", "child C1 has two open episodes; C10 and 'C1' too.")
    assert redact(issue, {"C1"}).message == (
        "child [identifier] has two open episodes; C10 and '[identifier]' too."
    )
    on_child = Issue("f.csv", 3, "child", "r", "'Jo Bloggs' is not an identifier")
    assert redact(on_child, set()).message == "'[child identifier]' is not an identifier"
    spaced = Issue("f.csv", 3, "DEC", "r", "child AB 12/3 (Jo) has two open episodes")
    assert redact(spaced, {"AB 12/3 (Jo)"}).message == "child [identifier] has two open episodes"


def test_the_council_setting_pseudonymises_every_import(
    tmp_path: Path, key_file: Path, write: Writer
) -> None:
    settings = keyed(Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}"), key_file)
    init_store(settings, "Pseudo Borough", "998", pseudonymise=True)
    header = write("header.csv", f"CHILD,SEX,DOB,ETHNIC\n{RAW_IDS[0]},1,2008-01-01,WBRI\n")
    import_paths(settings, [header], AS_OF)  # no flag: the council's setting applies
    assert [r[2] for r in dump(settings.database_url)["children"]] == [expected(RAW_IDS[0])]
    without_key = settings.model_copy(update={"pseudonymisation_key_file": None})
    with pytest.raises(UsageError, match="needs the council's key file"):
        import_paths(without_key, [header], date(2018, 10, 31))


def test_imports_never_mix_raw_identifiers_with_pseudonyms_or_two_keys(
    settings: Settings, key_file: Path, write: Writer, tmp_path: Path
) -> None:
    header = "CHILD,SEX,DOB,ETHNIC\n"
    import_paths(settings, [write("h1.csv", header + "C1,1,2008-01-01,WBRI\n")], AS_OF)
    second = write("h2.csv", header + "C2,1,2008-01-01,WBRI\n")
    with pytest.raises(UsageError, match="stored child identifiers as given"):
        import_paths(keyed(settings, key_file), [second], AS_OF, pseudonymise=True)

    other = Settings(database_url=f"sqlite:///{tmp_path / 'other.db'}")
    init_store(other, "Other", "997")
    import_paths(keyed(other, key_file), [second], AS_OF, pseudonymise=True)
    with pytest.raises(UsageError, match="add --pseudonymise"):
        import_paths(other, [write("h3.csv", header + "C3,1,2008-01-01,WBRI\n")], AS_OF)
    another_key = tmp_path / "secrets" / "another.key"
    another_key.write_bytes(b"f" * 40)
    another_key.chmod(0o600)
    with pytest.raises(UsageError, match="not the one earlier imports were pseudonymised with"):
        import_paths(keyed(other, another_key), [second], date(2018, 10, 31), pseudonymise=True)
    # Finance files carry no identifiers, so they may come either way.
    budget = write("budget.csv", "FINANCIAL_YEAR,SERVICE_LINE,BUDGET\n2018-19,staffing,1\n")
    import_paths(other, [budget], AS_OF)


@pytest.mark.parametrize(
    ("content", "mode", "message"),
    [
        (None, 0o600, "cannot read"),
        (b"short", 0o600, "holds 5 bytes"),
        (SECRET, 0o644, "open to other users"),
    ],
)
def test_a_missing_short_or_shared_key_file_is_refused(
    tmp_path: Path, content: bytes | None, mode: int, message: str
) -> None:
    path = tmp_path / "k"
    if content is not None:
        path.write_bytes(content)
        path.chmod(mode)
    with pytest.raises(UsageError, match=message):
        load_key(path)
    with pytest.raises(UsageError, match="--key-file PATH or set CARECAST_PSEUDONYMISATION_KEY"):
        load_key(None)


def test_init_creates_a_private_key_outside_the_store_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    store.mkdir()
    url = f"sqlite:///{store / 'carecast.db'}"
    inside = store / "council.key"
    args = ["init", "--council", "P", "--la-code", "996", "--database-url", url, "--pseudonymise"]
    assert run([*args, "--key-file", str(inside), "--new-key"]) == 2
    assert "store's folder" in capsys.readouterr().err
    assert not inside.exists()
    assert not (store / "carecast.db").exists()  # refused before the store was touched
    assert run([*args]) == 2  # pseudonymising with no key at all
    outside = tmp_path / "keys" / "council.key"
    outside.parent.mkdir()
    assert run([*args, "--key-file", str(outside), "--new-key"]) == 0
    assert stat.S_IMODE(outside.stat().st_mode) == 0o600
    assert len(load_key(outside).secret) == 64
    assert f"New pseudonymisation key written to {outside}" in capsys.readouterr().out
    again = ["init", "--council", "Q", "--la-code", "995", "--database-url", url]
    assert run([*again, "--key-file", str(outside), "--new-key"]) == 2  # never overwritten


def test_the_key_fingerprint_reveals_nothing_and_tells_keys_apart() -> None:
    one, two = PseudonymKey(SECRET), PseudonymKey(SECRET + b"!")
    assert one.key_id != two.key_id
    assert SECRET.hex()[:16] not in one.key_id
    assert one.pseudonym("C1") == expected("C1")


def test_the_command_line_shows_no_identifier(
    database_url: str,
    key_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = small_council_with_raw_ids(tmp_path / "sep")
    (folder / "placement_costs.csv").write_text(
        (folder / "placement_costs.csv").read_text()
        + f"{RAW_IDS[1]}X,placements_ifa,A,2018-05-01,,9,,IFA1\n"
    )
    common = ["--database-url", database_url]
    assert run(["init", "--council", "T", "--la-code", "994", *common]) == 0
    monkeypatch.setenv("CARECAST_PSEUDONYMISATION_KEY_FILE", str(key_file))
    code = run(["import", str(folder), "--as-of", "2018-09-30", "--pseudonymise", *common])
    warnings_code = run(["imports", "warnings", *common])
    assert (code, warnings_code) == (0, 0)
    shown = capsys.readouterr()
    assert "commitment-without-placement" in shown.out  # the extra commitment was reported …
    assert not any(raw in shown.out + shown.err for raw in RAW_IDS)  # … without its identifier
