"""The options chain table: calls | strike | puts, one row per strike.

Found by role ``table`` named "Options chain"; rows by ``data-testid=chain-row`` with
``data-strike``, ``data-atm``, ``data-call-itm``, ``data-put-itm``; cells by their ``data-testid``
(``call-bid`` ... ``put-delta``, ``strike``). Reads take one snapshot of the DOM so a row's cells
always come from the same render.
"""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator, Page

CELL_IDS: tuple[str, ...] = (
    "call-bid",
    "call-ask",
    "call-last",
    "call-volume",
    "call-oi",
    "call-iv",
    "call-delta",
    "strike",
    "put-bid",
    "put-ask",
    "put-last",
    "put-volume",
    "put-oi",
    "put-iv",
    "put-delta",
)

_SNAPSHOT_JS = """
(rows, ids) => rows.map((tr) => {
  const cells = {};
  for (const id of ids) {
    const cell = tr.querySelector(`[data-testid="${id}"]`);
    cells[id] = cell ? cell.textContent.trim() : null;
  }
  return {
    strike: tr.dataset.strike,
    atm: tr.dataset.atm === "true",
    call_itm: tr.dataset.callItm === "true",
    put_itm: tr.dataset.putItm === "true",
    cells,
  };
})
"""


@dataclass(frozen=True)
class ChainRow:
    """One rendered strike: its flags and the visible text of every cell, keyed by test id."""

    strike: str
    atm: bool
    call_itm: bool
    put_itm: bool
    cells: dict[str, str | None]


class ChainTable:
    """The chain table component of the options page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.table: Locator = page.get_by_role("table", name="Options chain", exact=True)
        self.row_locator: Locator = self.table.get_by_test_id("chain-row")
        self.atm_row: Locator = self.table.locator('[data-testid="chain-row"][data-atm="true"]')

    def row_for(self, strike: str) -> Locator:
        """The row of ``strike`` (formatted like the page: ``"600.00"``), for ``expect``."""
        return self.table.locator(f'[data-testid="chain-row"][data-strike="{strike}"]')

    def rows(self) -> list[ChainRow]:
        """Every rendered row, top to bottom."""
        snapshot = self.row_locator.evaluate_all(_SNAPSHOT_JS, list(CELL_IDS))
        return [ChainRow(**row) for row in snapshot]

    def strikes(self) -> list[str]:
        """The strikes shown, top to bottom, as displayed (``"600.00"``)."""
        return [row.strike for row in self.rows()]

    def row(self, strike: str) -> ChainRow:
        """The row of ``strike``; ``LookupError`` when it is not shown."""
        for row in self.rows():
            if row.strike == strike:
                return row
        raise LookupError(f"no chain row for strike {strike}")

    def atm_strike(self) -> str | None:
        """The strike of the row marked at-the-money, or None when no row is."""
        return next((row.strike for row in self.rows() if row.atm), None)

    def call_itm_strikes(self) -> list[str]:
        """Strikes whose call side is shaded in the money."""
        return [row.strike for row in self.rows() if row.call_itm]

    def put_itm_strikes(self) -> list[str]:
        """Strikes whose put side is shaded in the money."""
        return [row.strike for row in self.rows() if row.put_itm]
