"""The independent oracle: what the Options Desk must answer, derived from what the stub served.

Every function here is one rule of docs/CONTRACTS.md §3 ("How the API derives its values"),
written from the contract, never from the backend's code (nothing of ``backend/`` is imported):
the stub's canonical market (``StubControl.market``: the quotes and greeks it served) goes in, the
document the API must answer comes out. Scenarios compare the API's answer and the page with it,
so a value the backend computes wrong fails even when the page shows it faithfully.
"""

from __future__ import annotations

import math
from typing import Any

CONTRACT_MULTIPLIER = 100
SIDE_FIELDS = ("symbol", "bid", "ask", "last", "volume", "open_interest")
GREEK_FIELDS = ("delta", "gamma", "theta", "vega")
# Values the API computes (rather than passes through) may differ from the rule's arithmetic in
# the last bits of a double; anything a user could see is far above this.
COMPUTED_TOLERANCE = 1e-9


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def mid(quote: dict[str, Any]) -> float | None:
    """Rule: the mid of bid and ask, rounded to 4 decimals; none when either is missing."""
    bid, ask = _number(quote.get("bid")), _number(quote.get("ask"))
    if bid is None or ask is None:
        return None
    return round((bid + ask) / 2, 4)


def reference_price(quote: dict[str, Any]) -> float | None:
    """Rule: ATM and ITM are measured against the underlying's last, else its mid."""
    last = _number(quote.get("last"))
    return last if last is not None else mid(quote)


def atm_strike(strikes: list[float], price: float | None) -> float | None:
    """Rule: the listed strike closest to the reference price, the lower one on a tie."""
    if not strikes or price is None:
        return None
    return min(strikes, key=lambda strike: (abs(strike - price), strike))


def in_the_money(option_type: str, strike: float, price: float | None) -> bool | None:
    """Rule: a call is in the money when strike < price, a put when strike > price."""
    if price is None:
        return None
    return strike < price if option_type == "call" else strike > price


def expected_side(option: dict[str, Any], price: float | None) -> dict[str, Any]:
    """Rule: a side passes the upstream values through unchanged (null stays null, no rounding);
    ``iv`` is ``greeks.mid_iv``; every greek is null when the upstream greeks are."""
    greeks = option.get("greeks") or {}
    side = {name: option.get(name) for name in SIDE_FIELDS}
    side["iv"] = greeks.get("mid_iv")
    side.update({name: greeks.get(name) for name in GREEK_FIELDS})
    side["in_the_money"] = in_the_money(option["option_type"], option["strike"], price)
    return side


def expected_chain(market: dict[str, Any]) -> dict[str, Any]:
    """The chain document the API must answer for the stub's canonical ``market``."""
    quote = market["quote"]
    price = reference_price(quote)
    rows: dict[float, dict[str, Any]] = {}
    for option in market["options"]:
        row = rows.setdefault(option["strike"], {"strike": option["strike"], "call": None})
        row.setdefault("put", None)
        row[option["option_type"]] = expected_side(option, price)
    strikes = sorted(rows)
    return {
        "symbol": market["symbol"],
        "expiration": market["expiration"],
        "expirations": market["expirations"],
        "underlying": {
            "symbol": market["symbol"],
            **{name: quote.get(name) for name in ("last", "bid", "ask", "change")},
        },
        "atm_strike": atm_strike(strikes, price),
        "strikes": [rows[strike] for strike in strikes],
    }


def expected_position(position: dict[str, Any], option: dict[str, Any]) -> dict[str, Any]:
    """Rule: a position is marked at its option's mid (``mid``); P&L = (mark - avg_price) x
    quantity x 100 (the contract multiplier), rounded to the cent. The contract's own facts
    (strike, type, expiration) come from the option the stub lists under that symbol."""
    mark = mid(option)
    pnl = None
    if mark is not None:
        pnl = round((mark - position["avg_price"]) * position["quantity"] * CONTRACT_MULTIPLIER, 2)
    return {
        "symbol": option["symbol"],
        "underlying": option["underlying"],
        "option_type": option["option_type"],
        "strike": option["strike"],
        "expiration": option["expiration_date"],
        "mark": mark,
        "pnl": pnl,
    }


def differences(expected: Any, actual: Any, path: str = "", *, tolerance: float = 0.0) -> list[str]:
    """Where ``actual`` departs from ``expected``, one line per value (``path: got X, want Y``).

    Keys of ``actual`` that ``expected`` does not name are ignored (the contract may grow); a key
    it names must be there. Numbers must be equal (within ``tolerance`` for computed values),
    ``None`` only matches ``None``, and a bool is never a number.
    """
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path or '.'}: got {actual!r}, want an object"]
        found = []
        for key, want in expected.items():
            if key not in actual:
                found.append(f"{path}.{key}: missing")
            else:
                found += differences(want, actual[key], f"{path}.{key}", tolerance=tolerance)
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            size = len(actual) if isinstance(actual, list) else type(actual).__name__
            return [f"{path}: got {size} item(s), want {len(expected)}"]
        found = []
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            label = want.get("strike", index) if isinstance(want, dict) else index
            found += differences(want, got, f"{path}[{label}]", tolerance=tolerance)
        return found
    if _same(expected, actual, tolerance):
        return []
    return [f"{path}: got {actual!r}, want {expected!r}"]


def _same(expected: Any, actual: Any, tolerance: float) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if expected is None or actual is None:
        return expected is actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(expected, actual, rel_tol=0.0, abs_tol=tolerance) or expected == actual
    return bool(expected == actual)
