"""The live positions panel: region "Positions" with a stream status and one row per position.

Status (``data-testid=stream-status``) reads "Connecting", "Live" or "Reconnecting"; rows are
``data-testid=position-row`` with ``data-symbol``, cells ``position-qty``, ``position-mark``,
``position-pnl``.
"""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator, Page

_SNAPSHOT_JS = """
(rows) => rows.map((tr) => {
  const text = (id) => {
    const cell = tr.querySelector(`[data-testid="${id}"]`);
    return cell ? cell.textContent.trim() : null;
  };
  return {
    symbol: tr.dataset.symbol,
    qty: text("position-qty"),
    mark: text("position-mark"),
    pnl: text("position-pnl"),
  };
})
"""


@dataclass(frozen=True)
class PositionRow:
    """One position as displayed."""

    symbol: str
    qty: str | None
    mark: str | None
    pnl: str | None


class PositionsPanel:
    """The positions panel of the options page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.region: Locator = page.get_by_role("region", name="Positions", exact=True)
        self.status: Locator = self.region.get_by_test_id("stream-status")
        self.row_locator: Locator = self.region.get_by_test_id("position-row")

    def row_for(self, symbol: str) -> Locator:
        """The row of ``symbol`` (an OCC option symbol or a ticker), for ``expect``."""
        return self.region.locator(f'[data-testid="position-row"][data-symbol="{symbol}"]')

    def mark_cell(self, symbol: str) -> Locator:
        """The mark cell of ``symbol``'s row, for ``expect(...).to_have_text``."""
        return self.row_for(symbol).get_by_test_id("position-mark")

    def status_text(self) -> str:
        """The stream status as shown right now."""
        return self.status.inner_text().strip()

    def rows(self) -> list[PositionRow]:
        """Every position row, top to bottom."""
        return [PositionRow(**row) for row in self.row_locator.evaluate_all(_SNAPSHOT_JS)]

    def symbols(self) -> list[str]:
        """The symbols of the rows shown."""
        return [row.symbol for row in self.rows()]

    def mark(self, symbol: str) -> str:
        """The displayed mark of ``symbol``."""
        return self.mark_cell(symbol).inner_text().strip()
