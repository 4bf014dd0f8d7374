"""The command line (formats.md §2). Commands call services; `run` alone turns errors into exits."""

from __future__ import annotations

import sys

import typer

from carecast.cli import (  # noqa: F401  (importing registers the commands)
    backtest,
    benchmark,
    close,
    demo,
    imports,
    later,
    movements,
    project,
    region,
    report,
    scenarios,
    serve,
    snapshots,
    synth,
    users,
)
from carecast.cli.app import app
from carecast.cli.plain import error_console, say_all
from carecast.config import CHOSEN_COUNCIL
from carecast.errors import CarecastError

COUNCIL_EPILOG = (
    "In a store of several councils, --council CODE (before or after the command) chooses the "
    "council; the only council otherwise."
)


def _say_council_in_every_help(typer_app: typer.Typer) -> None:
    """Every command's --help names --council, which `council_first` moves ahead of it (so the
    commands do not each declare it)."""
    for command in typer_app.registered_commands:
        name = command.name or getattr(command.callback, "__name__", "")
        if command.epilog is None and name != "init":  # init's --council names a new council
            command.epilog = COUNCIL_EPILOG
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _say_council_in_every_help(group.typer_instance)


_say_council_in_every_help(app)


def council_first(argv: list[str]) -> list[str]:
    """`carecast forecast --council 209 …` as `carecast --council 209 forecast …`: the council is
    chosen once for every command (cli/app.py), wherever it is written. `init` keeps its own
    --council (the new council's name), and a value-less --council is left for Click to refuse."""
    if not argv or argv[0] == "init":
        return argv
    rest = list(argv)
    for i, word in enumerate(rest):
        if word == "--":
            break
        if word.startswith("--council="):
            return [rest.pop(i), *rest]
        if word == "--council" and i + 1 < len(rest) and i > 0:
            value = rest[i + 1]
            del rest[i : i + 2]
            return ["--council", value, *rest]
    return argv


def run(argv: list[str] | None = None) -> int:
    """Run a command and return its exit status: the one place errors become messages and codes."""
    chosen = CHOSEN_COUNCIL.set(None)  # a council chosen by an earlier run in this process ends
    args = council_first(list(sys.argv[1:] if argv is None else argv))
    try:
        # Typer reports its own usage errors (exit 2) and exits through SystemExit.
        app(args=args, standalone_mode=True)
    except CarecastError as error:
        say_all(error_console(), error.lines())
        return error.exit_code
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    finally:
        CHOSEN_COUNCIL.reset(chosen)
    return 0


def main() -> None:
    sys.exit(run())


__all__ = ["app", "main", "run"]
