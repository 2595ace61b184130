"""Reading a table the way a person does: by header text and column position on screen.

A body cell belongs to the column whose leaf header sits above it (the cell's horizontal centre
within that header's box); a group header ("Calls") names every leaf header under it. Only what is
rendered counts: a hidden row or cell is not read, so a value no user can see reads as missing, and
a cell that sits under no header, or under a header another cell already took, is reported as
stray. Test ids and data attributes give a value no meaning here; the table itself may be found by
any locator. One ``evaluate`` per read, so every value comes from the same render.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import Locator

_READ_JS = """
(table) => {
  const shown = (el) => {
    const options = { checkOpacity: true, checkVisibilityCSS: true,
                      opacityProperty: true, visibilityProperty: true };
    if (!el.checkVisibility(options)) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const span = (el) => { const b = el.getBoundingClientRect(); return [b.left, b.right]; };
  const text = (el) => el.innerText.replace(/\\s+/g, " ").trim();
  const heads = table.tHead ? [...table.tHead.querySelectorAll("th, td")].filter(shown) : [];
  const groups = heads.filter((h) => h.colSpan > 1).map((h) => ({ name: text(h), box: span(h) }));
  const columns = heads
    .filter((h) => h.colSpan === 1)
    .map((h) => {
      const [left, right] = span(h);
      const centre = (left + right) / 2;
      const group = groups.find((g) => g.box[0] <= centre && centre <= g.box[1]);
      return { name: text(h), group: group ? group.name : "", left, right };
    })
    .sort((a, b) => a.left - b.left);
  const rows = [...table.tBodies].flatMap((body) => [...body.rows]).filter(shown).map((tr) => {
    const cells = columns.map(() => null);
    const stray = [];
    for (const cell of tr.cells) {
      if (!shown(cell)) continue;
      const [left, right] = span(cell);
      const centre = (left + right) / 2;
      const index = columns.findIndex((c) => c.left <= centre && centre <= c.right);
      const value = { text: text(cell), background: getComputedStyle(cell).backgroundColor };
      if (index === -1 || cells[index] !== null) stray.push(value.text);
      else cells[index] = value;
    }
    return { cells, stray };
  });
  return {
    columns: columns.map(({ name, group }) => ({ name, group })),
    rows,
  };
}
"""


@dataclass(frozen=True)
class Column:
    """A leaf column: its header text and the group header above it ("" when none)."""

    name: str
    group: str


@dataclass(frozen=True)
class Cell:
    """What a person sees in one cell: its text and its background colour (computed CSS)."""

    text: str
    background: str


@dataclass(frozen=True)
class GridRow:
    """One body row: a cell (or None when nothing shows there) per column, plus stray cells."""

    cells: tuple[Cell | None, ...]
    stray: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Grid:
    """A table as displayed: its columns left to right and its rows top to bottom."""

    columns: tuple[Column, ...]
    rows: tuple[GridRow, ...]

    def index(self, name: str, group: str = "") -> int | None:
        """The position of the column headed ``name`` (under ``group``), None if there is none."""
        for i, column in enumerate(self.columns):
            if column.name == name and column.group == group:
                return i
        return None


def read_grid(table: Locator) -> Grid:
    """Read ``table`` as displayed right now (see the module docstring)."""
    raw = table.evaluate(_READ_JS)
    columns = tuple(Column(**column) for column in raw["columns"])
    rows = tuple(
        GridRow(
            cells=tuple(Cell(**cell) if cell else None for cell in row["cells"]),
            stray=tuple(row["stray"]),
        )
        for row in raw["rows"]
    )
    return Grid(columns, rows)
