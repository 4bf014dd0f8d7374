"""Every command and option is documented: in --help, and in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main

from carecast.cli import app

ROOT = Path(__file__).resolve().parents[1]
CONTRACT_COMMANDS = (
    "init",
    "import",
    "forecast",
    "backtest",
    "project",
    "report",
    "benchmark",
    "serve",
    "demo",
)
group = typer.main.get_command(app)
COMMANDS = sorted(group.commands)  # type: ignore[attr-defined]


def test_every_contract_command_exists() -> None:
    assert set(CONTRACT_COMMANDS) <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_and_option_has_help(name: str) -> None:
    command = group.commands[name]  # type: ignore[attr-defined]
    assert command.help
    for parameter in command.params:
        if parameter.param_type_name == "option":
            assert parameter.help, f"{name} {parameter.opts} has no help text"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_takes_the_database_url(name: str) -> None:
    options = {opt for p in group.commands[name].params for opt in p.opts}  # type: ignore[attr-defined]
    assert "--database-url" in options


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"carecast {name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_opens_with_the_two_commands() -> None:
    opening = (ROOT / "README.md").read_text(encoding="utf-8")[:600]
    assert "make demo" in opening
    assert "make test" in opening
