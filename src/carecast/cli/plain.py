"""Printing text that came from the data — problems, warnings, error messages, file names — exactly.

Rich reads `[...]` as markup and `:100:` as an emoji code (a problem on row 100 printed as
`file.csv💯START_DATE`). Text printed here is a `rich.text.Text`, which Rich shows as it is, and on
one line (errors.one_line): a cell holding line breaks or terminal escapes cannot spread a problem
over many lines or act on the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from carecast.errors import one_line

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


def plain(line: str, style: str = "") -> Text:
    """A line for Rich that it will neither interpret nor break."""
    from rich.text import Text

    return Text(one_line(line), style=style)


def say(out: Console, line: str, style: str = "") -> None:
    """Print one line exactly as given (its line breaks and control characters as escapes)."""
    out.print(plain(line, style), soft_wrap=True)


def say_all(out: Console, lines: Iterable[str], style: str = "") -> None:
    for line in lines:
        say(out, line, style)


def error_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)
