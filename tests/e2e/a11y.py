"""axe-core in a Playwright page: run the WCAG 2.x A/AA and best-practice rules, report plainly.

axe-core comes from ``node_modules`` (pinned in package-lock.json, installed by
``make test``), never from the network. The app's Content-Security-Policy allows
only scripts from its own origin, so ``page.add_script_tag(content=...)`` (an
inline ``<script>``) is refused by the browser. The script text is therefore
handed to ``page.evaluate``, which runs through the DevTools protocol outside
the page's CSP, and the page keeps its real policy while it is checked
(``bypass_csp`` would also change what the page itself may load).

``run_axe(page)`` returns the violations; ``format_violations`` turns them into
the text of a failing assertion: rule, impact, what to fix, and for each element
its CSS selector, a short piece of its HTML and axe's own explanation (for a
contrast failure that includes both colours and the ratio).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus axe's best practices.
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")
HTML_SNIPPET = 160
NODES_SHOWN = 6


@dataclass(frozen=True)
class Node:
    """One element that breaks a rule."""

    target: str
    html: str
    summary: str


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on the page, with every element that breaks it."""

    rule: str
    impact: str
    help: str
    help_url: str
    nodes: tuple[Node, ...]


@cache
def axe_source() -> str:
    if not AXE_SCRIPT.is_file():
        raise FileNotFoundError(
            f"{AXE_SCRIPT} is missing: run `make test` (or `npm ci`) to install axe-core"
        )
    return AXE_SCRIPT.read_text(encoding="utf-8")


def inject_axe(page: Page) -> None:
    """Load axe-core into the page once (it survives until the next navigation)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())


def run_axe(page: Page, tags: tuple[str, ...] = TAGS) -> list[Violation]:
    """Check the page as it is now (current viewport, current state) and return the violations."""
    inject_axe(page)
    raw: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const results = await window.axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return results.violations;
        }""",
        list(tags),
    )
    return [
        Violation(
            rule=item["id"],
            impact=item.get("impact") or "unknown",
            help=item["help"],
            help_url=item["helpUrl"].split("?")[0],
            nodes=tuple(
                Node(
                    target=" ".join(_selector(part) for part in node["target"]),
                    html=_shorten(node["html"]),
                    summary=node.get("failureSummary") or "",
                )
                for node in item["nodes"]
            ),
        )
        for item in raw
    ]


def _selector(part: Any) -> str:
    # A target is a list of selectors, one per shadow root or frame; plain pages have one.
    return part if isinstance(part, str) else " >>> ".join(part)


def _shorten(html: str) -> str:
    html = " ".join(html.split())
    return html if len(html) <= HTML_SNIPPET else html[: HTML_SNIPPET - 1] + "…"


def format_violations(violations: list[Violation]) -> str:
    """The violations as text a developer can act on, one block per rule."""
    lines: list[str] = []
    for violation in violations:
        lines.append(
            f"{violation.rule} ({violation.impact}): {violation.help} — {violation.help_url}"
        )
        for node in violation.nodes[:NODES_SHOWN]:
            lines.append(f"    at {node.target}")
            lines.append(f"       {node.html}")
            for reason in node.summary.splitlines():
                if reason.strip() and not reason.startswith("Fix "):
                    lines.append(f"       - {reason.strip()}")
        hidden = len(violation.nodes) - NODES_SHOWN
        if hidden > 0:
            lines.append(f"    … and {hidden} more element(s)")
    return "\n".join(lines)


# --- the focus indicator (axe does not measure it) ----------------------------------


@dataclass(frozen=True)
class FocusRing:
    """How the focused element is marked, and the colour the mark sits on."""

    visible: bool  # :focus-visible matches and an outline is drawn
    ring: str  # outline colour, "rgb(r, g, b)"
    halo: str | None  # box-shadow colour around the outline, if any
    background: str  # first opaque background behind the element


def focus_ring(page: Page) -> FocusRing:
    """The focus mark of the focused element (or of the label around a focused radio)."""
    found: dict[str, Any] = page.evaluate(
        """() => {
            const focused = document.activeElement;
            const marked = focused.closest("label:focus-within") || focused;
            const style = getComputedStyle(marked);
            let behind = marked.parentElement;
            let background = "rgb(255, 255, 255)";
            while (behind) {
                const colour = getComputedStyle(behind).backgroundColor;
                if (colour && !colour.endsWith(", 0)") && colour !== "transparent") {
                    background = colour;
                    break;
                }
                behind = behind.parentElement;
            }
            const halo = style.boxShadow.match(/rgba?\\([^)]*\\)/);
            return {
                visible: focused.matches(":focus-visible") && style.outlineStyle !== "none"
                    && parseFloat(style.outlineWidth) >= 2,
                ring: style.outlineColor,
                halo: halo ? halo[0] : null,
                background: background,
            };
        }"""
    )
    return FocusRing(**found)


def _channels(colour: str) -> tuple[float, ...]:
    numbers = colour[colour.index("(") + 1 : colour.index(")")].replace(",", " ").split()
    return tuple(float(n) / 255 for n in numbers[:3])


def luminance(colour: str) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in _channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS ``rgb(...)`` colours (1 to 21)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
