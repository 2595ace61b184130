"""The checklist catalogue (acceptance/checklist.toml): what a release must prove, item by item.

Every item says where it can be proven (``where``): ``bundled`` (needs the stack the harness
starts: the stub's control API, the processes it owns, their logs), ``deployment`` (only an
existing deployment shows it, e.g. TLS), or ``both``. An item without it is an error, so a new
item cannot silently count in a run that cannot prove it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CATALOGUE = REPO_ROOT / "acceptance" / "checklist.toml"

_ID_PATTERN = re.compile(r"^[A-Z0-9]+-\d{2,}$")
WHERE_VALUES = ("bundled", "deployment", "both")


class CatalogueError(ValueError):
    """The catalogue file is missing or malformed."""


@dataclass(frozen=True)
class CatalogueItem:
    id: str
    title: str
    criterion: str
    required: bool
    where: str = "both"
    # Page budgets by measurement name (PERF-01); None for every other item.
    budgets_ms: dict[str, float] | None = None

    def as_dict(self) -> dict[str, Any]:
        found = asdict(self)
        if self.budgets_ms is None:
            del found["budgets_ms"]
        return found


def load(path: Path = DEFAULT_CATALOGUE) -> list[CatalogueItem]:
    """Read and validate the catalogue, keeping its order (the order of the checklist rows)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogueError(f"checklist catalogue not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"checklist catalogue {path} is not valid TOML: {exc}") from exc
    return from_dicts(data.get("item", []), source=str(path))


def from_dicts(
    entries: list[dict[str, Any]], source: str = "catalogue", default_where: str | None = None
) -> list[CatalogueItem]:
    """Validated items; ``default_where`` fills a missing ``where`` (old results files only)."""
    items: list[CatalogueItem] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        if default_where is not None:
            entry = {"where": default_where, **entry}
        keys = ("id", "title", "criterion", "required", "where")
        missing = [key for key in keys if key not in entry]
        if missing:
            name = entry.get("id") or f"item #{number}"
            hint = (
                ' (where it can be proven: where = "bundled", "deployment" or "both")'
                if "where" in missing
                else ""
            )
            raise CatalogueError(f"{source}: {name} lacks {', '.join(missing)}{hint}")
        item_id = entry["id"]
        if not isinstance(item_id, str) or not _ID_PATTERN.match(item_id):
            raise CatalogueError(f"{source}: item #{number} has a malformed id {item_id!r}")
        if item_id in seen:
            raise CatalogueError(f"{source}: item id {item_id} is listed twice")
        if not isinstance(entry["required"], bool):
            raise CatalogueError(f"{source}: {item_id}.required must be true or false")
        if entry["where"] not in WHERE_VALUES:
            raise CatalogueError(
                f"{source}: {item_id}.where must be one of {', '.join(WHERE_VALUES)} (where the "
                f"item can be proven), not {entry['where']!r}"
            )
        seen.add(item_id)
        items.append(
            CatalogueItem(
                id=item_id,
                title=str(entry["title"]),
                criterion=str(entry["criterion"]),
                required=entry["required"],
                where=entry["where"],
                budgets_ms=_budgets(entry, source),
            )
        )
    if not items:
        raise CatalogueError(f"{source}: no [[item]] entries")
    return items


def _budgets(entry: dict[str, Any], source: str) -> dict[str, float] | None:
    found = entry.get("budgets_ms")
    if found is None:
        return None
    if not isinstance(found, dict) or not all(
        isinstance(ms, int | float) and not isinstance(ms, bool) for ms in found.values()
    ):
        raise CatalogueError(f"{source}: {entry['id']}.budgets_ms must map names to milliseconds")
    return {str(name): float(ms) for name, ms in found.items()}


def budgets_ms(items: list[CatalogueItem]) -> dict[str, float]:
    """Every page budget of the catalogue, by measurement name."""
    return {name: ms for item in items for name, ms in (item.budgets_ms or {}).items()}
