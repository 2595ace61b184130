"""How the Options Desk UI shows numbers (docs/CONTRACTS.md §4), so scenarios can compare the page
with API values formatted the same way instead of with literals copied from the stub."""

from __future__ import annotations

MISSING = "—"


def price(value: float | None) -> str:
    return MISSING if value is None else f"{value:.2f}"


def integer(value: int | None) -> str:
    return MISSING if value is None else f"{value:,}"


def percent(fraction: float | None) -> str:
    return MISSING if fraction is None else f"{fraction * 100:.1f}%"


def delta(value: float | None) -> str:
    return MISSING if value is None else f"{value:.3f}"


def pnl(value: float | None) -> str:
    return MISSING if value is None else f"{value:+,.2f}"


def option_cells(side: str, option: dict | None) -> dict[str, str]:
    """The cells of one side ("call" or "put") of a chain row, as the page must show them (a side
    the chain does not list shows every cell as missing)."""
    option = option or {}
    return {
        f"{side}-bid": price(option.get("bid")),
        f"{side}-ask": price(option.get("ask")),
        f"{side}-last": price(option.get("last")),
        f"{side}-volume": integer(option.get("volume")),
        f"{side}-oi": integer(option.get("open_interest")),
        f"{side}-iv": percent(option.get("iv")),
        f"{side}-delta": delta(option.get("delta")),
    }


def chain_row_cells(row: dict) -> dict[str, str]:
    """Every cell of a chain row of the API's chain answer, as the page must show it."""
    return {
        **option_cells("call", row["call"]),
        "strike": price(row["strike"]),
        **option_cells("put", row["put"]),
    }
