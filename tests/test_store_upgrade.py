"""A store made by an earlier carecast: every command says how to upgrade it, naming the council
it holds, and `carecast init` with that council upgrades it and keeps its data."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command

from carecast.cli import run
from carecast.store.engine import alembic_config, make_engine


def test_an_older_store_is_upgraded_by_init_with_the_council_it_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'carecast.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0009")
        connection.exec_driver_sql(
            "INSERT INTO councils (name, la_code, created_at, pseudonymise) "
            "VALUES ('Anytown Borough', '999', '2018-01-01 00:00:00', 0)"
        )
    engine.dispose()

    assert run(["scenarios", "list", "--database-url", url]) == 2
    err = capsys.readouterr().err
    assert "the store's schema is at revision 0009" in err
    assert 'carecast init --council "Anytown Borough" --la-code 999' in err

    init = ["init", "--council", "Anytown Borough", "--la-code", "999", "--database-url", url]
    assert run(init) == 0
    assert run(["scenarios", "list", "--database-url", url]) == 0
    assert "No scenario run is stored yet" in capsys.readouterr().out
    # another name for the council's code is still refused, the store as it was
    assert run(["init", "--council", "Elsewhere", "--la-code", "999", "--database-url", url]) == 2
    assert "already holds council 999" in capsys.readouterr().err
