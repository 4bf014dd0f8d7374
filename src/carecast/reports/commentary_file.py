"""Commentary files: the finance officer's words for several sections at once.

A plain text file in which each section starts with a heading line `## KEY` (or `## Title`), e.g.

    ## summary
    The overspend is driven by residential placements …

    ## staffing
    Twelve agency social workers convert to permanent contracts in November.

Paragraphs are separated by blank lines; an empty section clears that section's commentary.
"""

from __future__ import annotations

from collections.abc import Mapping

from carecast.errors import Issue

HEADING = "## "


def parse_commentary(
    text: str, source: str, sections: Mapping[str, str]
) -> tuple[dict[str, str], list[Issue]]:
    """Section key → commentary, with a located problem for each line that cannot be read."""
    by_name = {key.lower(): key for key in sections}
    by_name |= {title.lower(): key for key, title in sections.items()}
    found: dict[str, list[str]] = {}
    issues: list[Issue] = []
    current: str | None = None
    for number, line in enumerate(text.replace("\r\n", "\n").lstrip("\ufeff").split("\n"), start=1):
        if line.startswith(HEADING):
            name = line[len(HEADING) :].strip()
            current = by_name.get(name.lower())
            if current is None:
                issues.append(
                    Issue(
                        source,
                        number,
                        None,
                        "commentary-unknown-section",
                        f"'{name}' is not a report section; use one of {', '.join(sections)}",
                    )
                )
            elif current in found:
                issues.append(
                    Issue(
                        source,
                        number,
                        None,
                        "commentary-repeated-section",
                        f"'{name}' appears twice",
                    )
                )
            else:
                found[current] = []
            continue
        if current is None:
            if line.strip() and not issues:
                issues.append(
                    Issue(
                        source,
                        number,
                        None,
                        "commentary-before-heading",
                        "text before the first '## section' heading belongs to no section",
                    )
                )
            continue
        if current in found:
            found[current].append(line.rstrip())
    return {key: _paragraphs(lines) for key, lines in found.items()}, issues


def _paragraphs(lines: list[str]) -> str:
    """Trim blank lines at either end and collapse runs of blank lines to one paragraph break."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return "\n\n".join(paragraphs)


def commentary_template(sections: Mapping[str, str], existing: Mapping[str, str]) -> str:
    """A file with a heading per section and any commentary already written, to edit."""
    blocks = [f"{HEADING}{key}\n{existing.get(key, '')}".rstrip() + "\n" for key in sections]
    return "\n".join(blocks)
