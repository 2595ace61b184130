"""Page budgets (PERF-01), measured in the page with the Performance API.

A probe added to the context before the page loads records, in the page's own clock
(``performance.now()``, 0 = navigation start):

- ``firstRow``: when the first chain row was inserted into the document;
- per user action (``expiration_switch``: the Expiration picker changed; ``symbol_search``: the
  symbol search submitted; ``retry``: Retry clicked), the event's time and the time the first
  chain row of the re-rendered table was inserted after it.

No Playwright round trip is inside a figure. The budgets live in the checklist catalogue
(``budgets_ms`` of PERF-01); a figure over its budget is an advisory warning with the figure.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page

from reports.runinfo import record_page_timing

CATALOGUE = Path(__file__).with_name("checklist.toml")
ITEM = "PERF-01"
FIRST_ROW = "first_row"
ACTIONS = ("expiration_switch", "symbol_search", "retry")
WAIT_MS = 5_000

PROBE = """
(() => {
  if (window.__qeTiming) return;
  const timing = (window.__qeTiming = { firstRow: null, actions: {} });
  let pending = null;
  const start = (name, event) => {
    pending = { at: event.timeStamp, done: null };
    timing.actions[name] = pending;
  };
  document.addEventListener("change", (e) => {
    if (e.target && e.target.id === "expiration") start("expiration_switch", e);
  }, true);
  document.addEventListener("submit", (e) => {
    if (e.target && e.target.id === "search-form") start("symbol_search", e);
  }, true);
  document.addEventListener("click", (e) => {
    if (e.target && e.target.id === "retry") start("retry", e);
  }, true);
  const isRow = (node) => node.nodeType === 1 &&
    (node.matches('[data-testid="chain-row"]') || node.querySelector('[data-testid="chain-row"]'));
  new MutationObserver((records) => {
    if (!records.some((r) => Array.from(r.addedNodes).some(isRow))) return;
    const now = performance.now();
    if (timing.firstRow === null) timing.firstRow = now;
    if (pending && pending.done === null) {
      pending.done = now;
      pending = null;
    }
  }).observe(document, { childList: true, subtree: true });
})();
"""


def budgets(catalogue: Path = CATALOGUE) -> dict[str, float]:
    """PERF-01's budgets (milliseconds) by measurement name, from the catalogue."""
    data = tomllib.loads(catalogue.read_text(encoding="utf-8"))
    item = next(entry for entry in data["item"] if entry["id"] == ITEM)
    return {name: float(ms) for name, ms in item["budgets_ms"].items()}


def first_row_ms(page: Page) -> float:
    """Navigation start to the first chain row of the current document."""
    page.wait_for_function(
        "() => window.__qeTiming && window.__qeTiming.firstRow !== null", timeout=WAIT_MS
    )
    return round(float(page.evaluate("() => window.__qeTiming.firstRow")), 1)


def action_ms(page: Page, action: str) -> float:
    """The last ``action``'s event to the first row of the table rendered after it."""
    page.wait_for_function(
        "(name) => { const a = window.__qeTiming && window.__qeTiming.actions[name];"
        " return !!a && a.done !== null; }",
        arg=action,
        timeout=WAIT_MS,
    )
    figure = page.evaluate(
        "(name) => { const a = window.__qeTiming.actions[name]; return a.done - a.at; }", action
    )
    return round(float(figure), 1)


@dataclass(frozen=True)
class Overrun:
    where: str
    name: str
    ms: float
    budget_ms: float

    def __str__(self) -> str:
        return f"{self.where} {self.name} {self.ms:.0f} ms > budget {self.budget_ms:.0f} ms"


def overruns(figures: dict[str, dict[str, float]], limits: dict[str, float]) -> list[Overrun]:
    """Every figure (per scenario, per measurement) over its budget, in scenario order."""
    return [
        Overrun(where, name, ms, limits[name])
        for where, measured in sorted(figures.items())
        for name, ms in measured.items()
        if name in limits and ms > limits[name]
    ]


@dataclass
class PageTimer:
    """Measures a scenario's page timings (acceptance/page_timing.py) and records them."""

    page: Page
    item: pytest.Item
    figures: dict[str, float]

    def first_row(self) -> float:
        return self._record(FIRST_ROW, first_row_ms(self.page))

    def action(self, name: str) -> float:
        return self._record(name, action_ms(self.page, name))

    def _record(self, name: str, ms: float) -> float:
        record_page_timing(self.item, name, ms)
        self.figures[name] = ms
        return ms
