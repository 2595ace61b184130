"""Accessibility (A11Y-01, advisory): axe-core scans of the sign-in page and the options page.

axe-core is the copy inside the axe-playwright-python wheel, injected into the page under test:
nothing is fetched at run time. One scan per page, on a page a scenario has already brought to the
state worth scanning, so a scan costs no navigation of its own: OC-05's sign-in page, and OC-08's
options page narrowed to +/-5 strikes. That window still holds every kind of row (the ATM row, in
and out of the money on both sides) at half the cost of the whole chain: color-contrast, axe's
dearest rule, is paid per table cell.

Every violation is listed by rule, impact and element; a serious or critical one fails the item
(advisory: GO WITH WARNINGS), minor and moderate ones are listed and let it pass.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

ITEM = "A11Y-01"
# The pages scanned, each by the scenario that brings it up.
PAGES = {"sign-in": "OC-05", "options": "OC-08"}
WARN_IMPACTS = ("critical", "serious")
IMPACT_ORDER = (*WARN_IMPACTS, "moderate", "minor")
# Only violations come back from the page: passes and inapplicable rules are most of axe's answer.
AXE_OPTIONS = {"resultTypes": ["violations"]}
# Elements named per rule; the rest are counted (color-contrast can hit every cell of a table).
ELEMENTS_SHOWN = 5

_axe: Axe | None = None


def _engine() -> Axe:
    global _axe
    if _axe is None:
        _axe = Axe()  # reads the wheel's axe.min.js once
    return _axe


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on one page, with the elements that break it."""

    page: str
    rule: str
    impact: str
    help: str
    elements: tuple[str, ...]

    @property
    def warns(self) -> bool:
        return self.impact in WARN_IMPACTS

    def __str__(self) -> str:
        shown = "; ".join(self.elements[:ELEMENTS_SHOWN])
        more = len(self.elements) - ELEMENTS_SHOWN
        extra = f" (+{more} more)" if more > 0 else ""
        return f"{self.page}: {self.rule} ({self.impact}) at {shown}{extra} ({self.help})"


@dataclass
class Scan:
    """What one page's scan found, or why it could not be made."""

    violations: list[Violation] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


def violations(page_name: str, answer: dict) -> list[Violation]:
    """axe's answer as violations, worst impact first."""
    found = [
        Violation(
            page_name,
            str(rule["id"]),
            str(rule.get("impact") or "unknown"),
            str(rule.get("help", "")),
            tuple(", ".join(map(str, node.get("target", []))) for node in rule.get("nodes", [])),
        )
        for rule in answer.get("violations", [])
    ]
    rank = {impact: n for n, impact in enumerate(IMPACT_ORDER)}
    return sorted(found, key=lambda v: (rank.get(v.impact, len(rank)), v.rule))


def scan(page: Page, page_name: str) -> Scan:
    """Scan the page as it is now. A scan that cannot run is reported, never raised: the
    scenario that hosts it proves something else."""
    started = time.perf_counter()
    try:
        answer = _engine().run(page, options=AXE_OPTIONS).response
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Scan(seconds=time.perf_counter() - started, error=first)
    return Scan(violations(page_name, answer), time.perf_counter() - started)


def judge(scans: dict[str, Scan]) -> tuple[bool, str]:
    """A11Y-01's outcome and its detail: the first line says why, one line per violation follows."""
    problems: list[str] = []
    for name, scenario in PAGES.items():
        if name not in scans:
            problems.append(f"the {name} page was not scanned ({scenario} did not reach it)")
        elif scans[name].error:
            problems.append(f"the {name} page's scan failed: {scans[name].error}")
    found = [v for name in PAGES for v in (scans[name].violations if name in scans else [])]
    serious = [v for v in found if v.warns]
    costs = ", ".join(f"{name} {s.seconds:.2f} s" for name, s in scans.items())
    if serious:
        problems.insert(0, f"{len(serious)} serious or critical accessibility violation(s)")
    if problems:
        head = "; ".join(problems)
    elif found:
        head = f"no serious or critical violation; {len(found)} minor or moderate listed"
    else:
        head = "no violation on " + " and ".join(f"the {name} page" for name in PAGES)
    head += f" (axe-core scans: {costs or 'none'})"
    return not problems, "\n".join([head, *map(str, found)])
