"""A mapping file's YAML as nested dictionaries of text, with the line of every key.

PyYAML composes the document into nodes that keep their position; carecast only needs mappings of
text (every scalar stays the text the council wrote, so '01' is not turned into 1), and reports any
other shape — lists, anchors — at its line rather than guessing what was meant.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

Tree = dict[str, "str | Tree"]
ALIASES = "anchors and aliases (&name, *name) are not supported; write each value out"


@dataclass(frozen=True)
class YamlProblem:
    line: int
    message: str


def _mapping(
    node: yaml.MappingNode,
    path: str,
    where: dict[str, int],
    problems: list[YamlProblem],
    seen: set[int] | None = None,
) -> Tree:
    # An alias (*name) is the node of its anchor once more: walked again, a few lines of
    # aliases of aliases expand a thousandfold per level (a file of 25 lines never finished).
    seen = set() if seen is None else seen
    seen.add(id(node))
    tree: Tree = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(YamlProblem(line, "a key must be plain text"))
            continue
        key = str(key_node.value).strip()
        dotted = f"{path}.{key}" if path else key
        if key in tree:
            problems.append(YamlProblem(line, f"'{key}' is given twice"))
        where[dotted] = line
        if isinstance(value_node, yaml.MappingNode) and id(value_node) in seen:
            problems.append(YamlProblem(line, ALIASES))
        elif isinstance(value_node, yaml.MappingNode):
            tree[key] = _mapping(value_node, dotted, where, problems, seen)
        elif isinstance(value_node, yaml.ScalarNode) and not str(value_node.value).strip():
            problems.append(YamlProblem(line, f"'{key}:' has no value"))
        elif isinstance(value_node, yaml.ScalarNode):
            tree[key] = str(value_node.value).strip()
        else:
            problems.append(
                YamlProblem(
                    value_node.start_mark.line + 1,
                    "lists are not supported; write one 'name: value' per line instead",
                )
            )
    return tree


def _unreadable(exc: yaml.YAMLError, text: str) -> YamlProblem:
    """Why PyYAML could not read the file, at its line, on one line."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        lines = text.splitlines()
        if 0 < line <= len(lines) and "\t" in lines[line - 1]:
            return YamlProblem(line, "indent with spaces, not tabs")
        return YamlProblem(line, f"not readable as YAML: {exc.problem or exc}")
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow (a NUL, say)
        line = text.count("\n", 0, exc.position) + 1
        return YamlProblem(
            line, f"character #x{exc.character:04x} is not allowed in YAML; remove it"
        )
    reason = " ".join(str(exc).split())  # PyYAML's message runs over lines
    return YamlProblem(1, f"not readable as YAML: {reason}")


def parse(text: str) -> tuple[Tree, dict[str, int], list[YamlProblem]]:
    """The tree, the line of every key (as dotted paths), and the problems found."""
    where: dict[str, int] = {}
    problems: list[YamlProblem] = []
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        return {}, where, [_unreadable(exc, text)]
    if root is None:
        return {}, where, problems
    if not isinstance(root, yaml.MappingNode):
        return (
            {},
            where,
            [YamlProblem(root.start_mark.line + 1, "the file must be 'name: value' lines")],
        )
    tree = _mapping(root, "", where, problems)
    return tree, where, sorted(problems, key=lambda p: p.line)
