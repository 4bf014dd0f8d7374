"""What the browser tests ask of a page: axe-core's findings, whether the page is wider than the
screen, and a screenshot of it."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

# axe-core's own levels; "serious" and "critical" block a person from using the page.
BLOCKING = ("serious", "critical")


@cache
def axe_script() -> str:
    """axe-core as axe-playwright-python ships it (axe.min.js, MPL-2.0): read from the installed
    package, never fetched."""
    return files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it stands (WCAG 2.x A and AA and best practices)."""
    page.evaluate(axe_script())
    results: dict[str, Any] = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    violations: list[dict[str, Any]] = results["violations"]
    return violations


def blocking(violations: list[dict[str, Any]]) -> list[str]:
    """The serious and critical violations, one line each: rule, impact and where."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in violations
        if v["impact"] in BLOCKING
    ]


def wider_than_screen(page: Page) -> list[str]:
    """Why the page scrolls sideways, if it does: the document's width against the screen's,
    and the outermost elements that stick out past its right edge (a table within its own
    scrolling box does not count: the box holds it)."""
    found: list[str] = page.evaluate(
        """() => {
          const root = document.documentElement;
          if (root.scrollWidth <= root.clientWidth) return [];
          const out = [`document ${root.scrollWidth}px wide in a ${root.clientWidth}px screen`];
          for (const element of document.body.querySelectorAll('*')) {
            const right = element.getBoundingClientRect().right + window.scrollX;
            const parent = element.parentElement;
            const parentRight = parent.getBoundingClientRect().right + window.scrollX;
            if (right > root.clientWidth + 1 && parentRight <= root.clientWidth + 1) {
              const id = element.id ? '#' + element.id : '';
              out.push(`${element.tagName.toLowerCase()}${id} reaches ${Math.round(right)}px`);
            }
          }
          return out.slice(0, 10);
        }"""
    )
    return found


def screenshot(page: Page, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path
