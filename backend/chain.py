"""Option-chain shaping: Tradier's flat option list -> the API's strike rows (CONTRACTS.md §3).

Pure functions, no I/O: ATM strike, in-the-money flags and the normalised row shape.
"""

from __future__ import annotations

from typing import Any


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _integer(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def reference_price(quote: dict[str, Any]) -> float | None:
    """Last trade, else the bid/ask mid: what ATM and ITM are measured against."""
    last = _number(quote.get("last"))
    if last is not None:
        return last
    return mid(quote)


def mid(quote: dict[str, Any]) -> float | None:
    """Mid of bid and ask, ``None`` when either is missing."""
    bid, ask = _number(quote.get("bid")), _number(quote.get("ask"))
    if bid is None or ask is None:
        return None
    return round((bid + ask) / 2, 4)


def atm_strike(strikes: list[float], price: float | None) -> float | None:
    """The strike closest to ``price``; the lower one on a tie."""
    if not strikes or price is None:
        return None
    return min(sorted(strikes), key=lambda s: abs(s - price))


def in_the_money(option_type: str, strike: float, price: float | None) -> bool | None:
    """A call is ITM when strike < price, a put when strike > price."""
    if price is None:
        return None
    if option_type == "call":
        return strike < price
    return strike > price


def option_side(option: dict[str, Any], price: float | None) -> dict[str, Any]:
    greeks = option.get("greeks") if isinstance(option.get("greeks"), dict) else {}
    strike = _number(option.get("strike")) or 0.0
    return {
        "symbol": option.get("symbol"),
        "bid": _number(option.get("bid")),
        "ask": _number(option.get("ask")),
        "last": _number(option.get("last")),
        "volume": _integer(option.get("volume")),
        "open_interest": _integer(option.get("open_interest")),
        "iv": _number(greeks.get("mid_iv")),
        "delta": _number(greeks.get("delta")),
        "gamma": _number(greeks.get("gamma")),
        "theta": _number(greeks.get("theta")),
        "vega": _number(greeks.get("vega")),
        "in_the_money": in_the_money(str(option.get("option_type")), strike, price),
    }


def underlying_summary(symbol: str, quote: dict[str, Any] | None) -> dict[str, Any]:
    quote = quote or {}
    return {
        "symbol": symbol,
        "last": _number(quote.get("last")),
        "bid": _number(quote.get("bid")),
        "ask": _number(quote.get("ask")),
        "change": _number(quote.get("change")),
    }


def build_chain(
    symbol: str,
    expiration: str,
    expirations: list[str],
    options: list[dict[str, Any]],
    underlying_quote: dict[str, Any] | None,
) -> dict[str, Any]:
    """The API's chain document for one expiration."""
    price = reference_price(underlying_quote) if underlying_quote else None
    rows: dict[float, dict[str, Any]] = {}
    for option in options:
        strike = _number(option.get("strike"))
        option_type = option.get("option_type")
        if strike is None or option_type not in ("call", "put"):
            continue
        row = rows.setdefault(strike, {"strike": strike, "call": None, "put": None})
        row[option_type] = option_side(option, price)
    strikes = sorted(rows)
    return {
        "symbol": symbol,
        "expiration": expiration,
        "expirations": expirations,
        "underlying": underlying_summary(symbol, underlying_quote),
        "atm_strike": atm_strike(strikes, price),
        "strikes": [rows[s] for s in strikes],
    }
