"""The live positions panel: region "Positions" with a stream status and a table of positions.

The table is read as a person reads it (pages/grid.py): the values under the headers "Symbol",
"Qty", "Mark" and "P&L", a row known by its symbol. The status (``data-testid=stream-status``)
reads "Connecting", "Live" or "Reconnecting", and counts in ``data-received`` what the stream
delivered (updates and heartbeats).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import Locator, Page

from pages.grid import read_grid

HEADERS = {"symbol": "Symbol", "qty": "Qty", "mark": "Mark", "pnl": "P&L"}


@dataclass(frozen=True)
class PositionRow:
    """One position as displayed: the text under each header (None when nothing shows there)."""

    symbol: str | None
    qty: str | None
    mark: str | None
    pnl: str | None
    stray: tuple[str, ...] = ()


class PositionsPanel:
    """The positions panel of the options page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.region: Locator = page.get_by_role("region", name="Positions", exact=True)
        self.status: Locator = self.region.get_by_test_id("stream-status")
        self.table: Locator = self.region.get_by_role("table")
        self.row_locator: Locator = self.table.locator("tbody").get_by_role("row")

    def headers(self) -> list[str]:
        """The column headers, left to right."""
        return [column.name for column in read_grid(self.table).columns]

    def row_for(self, symbol: str) -> Locator:
        """The row showing ``symbol`` (an OCC option symbol) under "Symbol", for ``expect``."""
        exactly = re.compile(rf"^\s*{re.escape(symbol)}\s*$")
        return self.row_locator.filter(has=self._cells_under("Symbol").filter(has_text=exactly))

    def mark_cell(self, symbol: str) -> Locator:
        """The cell under "Mark" in ``symbol``'s row, for ``expect(...).to_have_text``."""
        return self.row_for(symbol).locator(self._cells_under("Mark"))

    def received(self) -> int:
        """How many times the stream has delivered data (an update or a heartbeat) so far."""
        return int(self.status.get_attribute("data-received") or 0)

    def status_text(self) -> str:
        """The stream status as shown right now."""
        return self.status.inner_text().strip()

    def rows(self) -> list[PositionRow]:
        """Every position row as displayed, top to bottom."""
        grid = read_grid(self.table)
        index = {field: grid.index(header) for field, header in HEADERS.items()}
        rows = []
        for row in grid.rows:
            texts: dict[str, str | None] = {}
            for name, i in index.items():
                cell = row.cells[i] if i is not None else None
                texts[name] = cell.text if cell is not None else None
            rows.append(PositionRow(**texts, stray=row.stray))
        return rows

    def symbols(self) -> list[str | None]:
        """The symbols of the rows shown."""
        return [row.symbol for row in self.rows()]

    def mark(self, symbol: str) -> str:
        """The displayed mark of ``symbol``."""
        return self.mark_cell(symbol).inner_text().strip()

    def _position(self, header: str) -> int:
        """The 1-based DOM position of the column headed ``header`` (``LookupError`` if none)."""
        position: int = self.table.locator("thead").evaluate(
            "(head, name) => [...head.rows[head.rows.length - 1].cells]"
            ".findIndex((th) => th.innerText.trim() === name) + 1",
            header,
        )
        if position == 0:
            raise LookupError(f"the positions table has no column headed {header!r}")
        return position

    def _cells_under(self, header: str) -> Locator:
        """Body cells in the column of ``header`` (same DOM position: the table has no spans)."""
        position = self._position(header)
        return self.page.locator(f"td:nth-child({position}), th:nth-child({position})")
