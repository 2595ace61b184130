"""The options chain table, read as a person reads it: calls | strike | puts, one row per strike.

The table is found by role ``table`` named "Options chain". Its values are read by header text and
column position on screen (pages/grid.py): a call's bid is the cell under "Bid" in the "Calls"
group, a row is known by the text under "Strike". The at-the-money highlight and in-the-money
shading are read from what is painted (cell backgrounds), not from data attributes. Reads take one
snapshot of the page, so a row's cells always come from the same render.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from playwright.sync_api import Locator, Page

from pages.grid import Cell, Grid, read_grid

STRIKE_HEADER = "Strike"
SIDES = {"Calls": "call", "Puts": "put"}
# Header text -> the cell key used by the scenarios (``call-bid`` ... ``put-delta``, ``strike``).
FIELDS = {
    "Bid": "bid",
    "Ask": "ask",
    "Last": "last",
    "Volume": "volume",
    "OI": "oi",
    "IV": "iv",
    "Delta": "delta",
}
TRANSPARENT = "rgba(0, 0, 0, 0)"


@dataclass(frozen=True)
class ChainRow:
    """One displayed strike: the text of every cell keyed by what its headers say, and the shades
    painted on the strike cell and on each side (None when a side's cells differ)."""

    strike: str | None
    cells: dict[str, str | None]
    strike_shade: str | None
    call_shade: str | None
    put_shade: str | None
    stray: tuple[str, ...]


def _key(group: str, name: str) -> str:
    if not group and name == STRIKE_HEADER:
        return "strike"
    side = SIDES.get(group, group.lower() or "?")
    return f"{side}-{FIELDS.get(name, name.lower())}"


def _shade(cells: list[Cell | None]) -> str | None:
    shades = {cell.background for cell in cells if cell is not None}
    return shades.pop() if len(shades) == 1 and None not in cells else None


def _rows(grid: Grid) -> list[ChainRow]:
    keys = [_key(column.group, column.name) for column in grid.columns]
    rows = []
    for row in grid.rows:
        by_key = dict(zip(keys, row.cells, strict=True))
        strike = by_key.get("strike")
        rows.append(
            ChainRow(
                strike=strike.text if strike else None,
                cells={key: cell.text if cell else None for key, cell in by_key.items()},
                strike_shade=strike.background if strike else None,
                call_shade=_shade([c for k, c in by_key.items() if k.startswith("call-")]),
                put_shade=_shade([c for k, c in by_key.items() if k.startswith("put-")]),
                stray=row.stray,
            )
        )
    return rows


@dataclass(frozen=True)
class ChainView:
    """What the table shows at one moment (one read of the page): its columns and rows, and the
    highlight and shading painted on them. Asserting several things about one render reads it
    once."""

    columns: list[tuple[str, str]]
    rows: list[ChainRow]

    @property
    def strikes(self) -> list[str | None]:
        return [row.strike for row in self.rows]

    def highlighted_strikes(self) -> list[str | None]:
        """Strikes whose strike cell is painted unlike the others' (the at-the-money highlight)."""
        rows = self.rows
        plain = _commonest(row.strike_shade for row in rows)
        return [row.strike for row in rows if len(rows) > 1 and row.strike_shade != plain]

    def call_itm_strikes(self) -> list[str | None]:
        """Strikes whose call cells wear the in-the-money shade."""
        itm = _itm_shade(self.rows)
        return [row.strike for row in self.rows if itm is not None and row.call_shade == itm]

    def put_itm_strikes(self) -> list[str | None]:
        """Strikes whose put cells wear the in-the-money shade."""
        itm = _itm_shade(self.rows)
        return [row.strike for row in self.rows if itm is not None and row.put_shade == itm]


class ChainTable:
    """The chain table component of the options page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.table: Locator = page.get_by_role("table", name="Options chain", exact=True)
        self.row_locator: Locator = self.table.locator("tbody").get_by_role("row")

    def view(self) -> ChainView:
        """The table as shown now, read once."""
        grid = read_grid(self.table)
        return ChainView([(c.group, c.name) for c in grid.columns], _rows(grid))

    def columns(self) -> list[tuple[str, str]]:
        """The columns left to right as (group header, column header); group "" for Strike."""
        return self.view().columns

    def rows(self) -> list[ChainRow]:
        """Every displayed row, top to bottom."""
        return self.view().rows

    def strikes(self) -> list[str | None]:
        """The strikes shown, top to bottom, as displayed (``"600.00"``)."""
        return self.view().strikes

    def row(self, strike: str) -> ChainRow:
        """The row of ``strike``; ``LookupError`` when it is not shown."""
        for row in self.rows():
            if row.strike == strike:
                return row
        raise LookupError(f"no chain row for strike {strike}")

    def highlighted_strikes(self) -> list[str | None]:
        """Strikes whose strike cell is painted unlike the others' (the at-the-money highlight)."""
        return self.view().highlighted_strikes()

    def atm_strike(self) -> str | None:
        """The highlighted strike when exactly one row is highlighted, else None."""
        highlighted = self.highlighted_strikes()
        return highlighted[0] if len(highlighted) == 1 else None

    def call_itm_strikes(self) -> list[str | None]:
        """Strikes whose call cells wear the in-the-money shade."""
        return self.view().call_itm_strikes()

    def put_itm_strikes(self) -> list[str | None]:
        """Strikes whose put cells wear the in-the-money shade."""
        return self.view().put_itm_strikes()


def _commonest(values: Iterable[str | None]) -> str | None:
    counted = Counter(values)
    return counted.most_common(1)[0][0] if counted else None


def _itm_shade(rows: list[ChainRow]) -> str | None:
    """The in-the-money shade: the commonest colour painted on a whole side of an ordinary
    (not highlighted) row. None when no side of an ordinary row is painted."""
    plain = _commonest(row.strike_shade for row in rows)
    ordinary = [row for row in rows if row.strike_shade == plain]
    painted = [
        shade
        for row in ordinary
        for shade in (row.call_shade, row.put_shade)
        if shade is not None and shade != TRANSPARENT
    ]
    return _commonest(painted)
