"""The small part of YAML a mapping file needs: nested `key: value` mappings and comments.

Keys and values are plain text or quoted ('…' or "…"); a key ending in `:` with nothing after it
opens a block indented deeper. Lists, anchors, multi-line strings and flow style are not part of
it: a line using them is reported with its line number rather than guessed at. (carecast ships no
YAML library; this keeps mapping files dependency-free and their errors precise.)
"""

from __future__ import annotations

from dataclasses import dataclass

Tree = dict[str, "str | Tree"]


@dataclass(frozen=True)
class YamlProblem:
    line: int
    message: str


@dataclass(frozen=True)
class _Line:
    number: int
    indent: int
    key: str
    value: str | None  # None: a block follows


def _strip_comment(text: str) -> str:
    """Drop a ` # comment` (a # at the start or after a space, outside quotes)."""
    quote: str | None = None
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] in " \t"):
            return text[:index]
    return text


def _scalar(text: str, number: int) -> str | YamlProblem:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        inner = text[1:-1]
        return inner.replace("''", "'") if text[0] == "'" else inner.replace('\\"', '"')
    if text[:1] in ("[", "{", "|", ">", "&", "*", "!", "-") and text not in ("-",):
        return YamlProblem(number, f"'{text}' uses YAML this file format does not support")
    return text


def _split(raw: str, number: int) -> _Line | YamlProblem | None:
    text = _strip_comment(raw.rstrip("\r\n")).rstrip()
    if not text.strip():
        return None
    indent = len(text) - len(text.lstrip(" "))
    body = text.strip()
    key_text, colon, rest = _partition_key(body)
    problem = _line_problem(text, body, colon)
    if problem is not None:
        return YamlProblem(number, problem)
    key = _scalar(key_text, number)
    value = _scalar(rest, number) if rest.strip() else None
    for part in (key, value):
        if isinstance(part, YamlProblem):
            return part
    if not key:
        return YamlProblem(number, "a key is empty")
    assert isinstance(key, str)
    assert value is None or isinstance(value, str)
    return _Line(number, indent, key, value)


def _line_problem(text: str, body: str, colon: str) -> str | None:
    if "\t" in text[: len(text) - len(text.lstrip())]:
        return "indent with spaces, not tabs"
    if body.startswith("- "):
        return "lists are not supported; write 'key: value' lines"
    if not colon:
        return f"expected 'key: value', found '{body}'"
    return None


def _partition_key(body: str) -> tuple[str, str, str]:
    """Split at the first `: ` (or final `:`) outside quotes."""
    quote: str | None = None
    for index, char in enumerate(body):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"" and index == 0:
            quote = char
        elif char == ":" and (index + 1 == len(body) or body[index + 1] == " "):
            return body[:index], ":", body[index + 1 :]
    return body, "", ""


def parse(text: str) -> tuple[Tree, dict[str, int], list[YamlProblem]]:
    """The tree, the line of every key (as dotted paths), and the problems found."""
    lines: list[_Line] = []
    problems: list[YamlProblem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        found = _split(raw, number)
        if isinstance(found, YamlProblem):
            problems.append(found)
        elif found is not None:
            lines.append(found)
    where: dict[str, int] = {}
    if not lines:
        return {}, where, problems
    tree, _end = _block(lines, 0, lines[0].indent, "", _Found(where, problems))
    return tree, where, sorted(problems, key=lambda p: p.line)


@dataclass(frozen=True)
class _Found:
    where: dict[str, int]
    problems: list[YamlProblem]


def _block(
    lines: list[_Line], start: int, indent: int, path: str, found: _Found
) -> tuple[Tree, int]:
    """The mapping whose keys sit at `indent`, from lines[start]; and the index after it."""
    tree: Tree = {}
    index = start
    while index < len(lines):
        line = lines[index]
        if line.indent < indent:
            break
        if line.indent > indent:
            found.problems.append(
                YamlProblem(line.number, "the indentation does not match a block")
            )
            index += 1
            continue
        dotted = f"{path}.{line.key}" if path else line.key
        duplicate = line.key in tree
        if duplicate:
            found.problems.append(YamlProblem(line.number, f"'{line.key}' is given twice"))
        found.where.setdefault(dotted, line.number)
        if line.value is not None:
            if not duplicate:
                tree[line.key] = line.value
            index += 1
            continue
        if index + 1 < len(lines) and lines[index + 1].indent > indent:
            child, index = _block(lines, index + 1, lines[index + 1].indent, dotted, found)
            if not duplicate:
                tree[line.key] = child
            continue
        found.problems.append(YamlProblem(line.number, f"'{line.key}:' has no value"))
        index += 1
    return tree, index
