"""The pure layers stay pure: no database, web or command-line framework below the services."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "carecast"
PURE_LAYERS = ("domain", "ingest", "forecast", "benchmarking", "projection")
FORBIDDEN = ("sqlalchemy", "alembic", "fastapi", "starlette", "typer", "click", "rich")
MAX_MODULE_LINES = 400


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", PURE_LAYERS)
def test_pure_layers_import_no_io_framework(layer: str) -> None:
    offenders = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in (PACKAGE / layer).rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in FORBIDDEN or name.startswith(("carecast.store", "carecast.cli"))
    }
    assert offenders == set()


def test_modules_stay_small() -> None:
    long_modules = {
        str(path.relative_to(PACKAGE)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long_modules == {}


def test_the_architecture_check_detects_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("import sqlalchemy as sa\nfrom typer import Typer\n")
    assert {"sqlalchemy", "typer"} <= imported_modules(module)
