"""The stub's market: symbols, expirations, strike grids, and Tradier-shaped quote and option dicts.

Everything is a pure function of (symbol, as-of date, current spot), so answers are deterministic:
the same request gives the same body until a control call moves a quote. "Random-looking" fields
(volume, open interest, sizes, where ``last`` sits between bid and ask) come from a hash of the
contract, not from a random generator.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import re
from dataclasses import dataclass
from typing import Any

from stubs.tradier import pricing

RISK_FREE_RATE = 0.045
WEEKLY_COUNT = 6
MONTHLY_COUNT = 4
OCC_SYMBOL = re.compile(r"^([A-Z]{1,6})(\d{6})([CP])(\d{8})$")


@dataclass(frozen=True)
class Underlying:
    symbol: str
    description: str
    type: str  # Tradier's security type: "etf" | "stock"
    spot: float  # the as-of last price before any control move
    increment: float  # strike spacing
    strikes_each_side: int
    base_vol: float
    dividend_yield: float
    spread_pct: float  # option bid/ask width as a fraction of the option's price
    half_tick: float  # underlying half spread
    liquidity: int  # option volume scale near the money
    single_expiration: bool = False
    option_types: tuple[str, ...] = ("call", "put")  # the sides listed (a thin name lists one)


UNDERLYINGS: dict[str, Underlying] = {
    u.symbol: u
    for u in (
        Underlying("SPY", "SPDR S&P 500", "etf", 601.23, 5.0, 12, 0.15, 0.012, 0.006, 0.01, 40000),
        Underlying(
            "QQQ", "Invesco QQQ Trust", "etf", 521.47, 5.0, 12, 0.19, 0.006, 0.008, 0.01, 22000
        ),
        Underlying("AAPL", "Apple Inc", "stock", 229.85, 5.0, 12, 0.26, 0.005, 0.012, 0.01, 15000),
        Underlying("TSLA", "Tesla Inc", "stock", 348.62, 10.0, 12, 0.55, 0.0, 0.015, 0.03, 25000),
        Underlying(
            "ONEX",
            "One Expiry Holdings",
            "stock",
            42.37,
            2.5,
            10,
            0.35,
            0.02,
            0.05,
            0.02,
            400,
            True,
        ),
        # The awkward corners of a real market, so a bug that shows only there is caught:
        # strikes across a digit boundary (97.50 -> 100.00) on half-dollar steps, far strikes
        # nobody traded (last null, greeks null, zero bid) ...
        Underlying("WMT", "Walmart Inc", "stock", 98.64, 2.5, 14, 0.24, 0.009, 0.02, 0.01, 260),
        # ... a very long chain of four-digit strikes on an index (no bid/ask of its own) ...
        Underlying(
            "SPX", "S&P 500 Index", "index", 6021.87, 5.0, 100, 0.14, 0.013, 0.004, 0.0, 30000
        ),
        # ... and a single listed contract: one expiration, one strike, a call only, so every
        # Tradier list of it arrives as a bare object or string.
        Underlying(
            "SOLO",
            "Solo Listing Corp",
            "stock",
            17.42,
            2.5,
            0,
            0.45,
            0.0,
            0.06,
            0.02,
            90,
            True,
            ("call",),
        ),
    )
}


def unit_hash(*parts: object) -> float:
    """A stable pseudo-random number in [0, 1) for the given key."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _cents(value: float) -> float:
    return round(value + 0.0, 2)


# ---------------------------------------------------------------------------------------------
# Calendar


def third_friday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(4 - first.weekday()) % 7 + 14)


def _monthlies_after(as_of: dt.date, count: int) -> list[dt.date]:
    found: list[dt.date] = []
    year, month = as_of.year, as_of.month
    while len(found) < count:
        day = third_friday(year, month)
        if day > as_of:
            found.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def expiration_type(day: dt.date) -> str:
    return "standard" if day == third_friday(day.year, day.month) else "weeklys"


@functools.lru_cache(maxsize=64)
def expirations(symbol: str, as_of: dt.date) -> tuple[dt.date, ...]:
    """Expirations after ``as_of``: the next weekly Fridays plus the next standard monthlies."""
    underlying = UNDERLYINGS[symbol]
    monthlies = _monthlies_after(as_of, MONTHLY_COUNT)
    if underlying.single_expiration:
        return (monthlies[0],)
    next_friday = as_of + dt.timedelta(days=(4 - as_of.weekday()) % 7 or 7)
    weeklies = [next_friday + dt.timedelta(weeks=i) for i in range(WEEKLY_COUNT)]
    return tuple(sorted(set(weeklies) | set(monthlies)))


def strikes(symbol: str) -> tuple[float, ...]:
    """The listed strikes: a fixed grid around the as-of spot (listings do not follow moves)."""
    u = UNDERLYINGS[symbol]
    center = round(u.spot / u.increment) * u.increment
    n = u.strikes_each_side
    return tuple(round(center + i * u.increment, 2) for i in range(-n, n + 1))


def _market_close_ms(as_of: dt.date) -> int:
    close = dt.datetime.combine(as_of, dt.time(19, 59, 0), tzinfo=dt.UTC)
    return int(close.timestamp() * 1000)


# ---------------------------------------------------------------------------------------------
# Options


def occ_symbol(root: str, expiration: dt.date, option_type: str, strike: float) -> str:
    """OCC symbol, e.g. ``SPY261204C00600000`` (strike in thousandths, 8 digits)."""
    return f"{root}{expiration:%y%m%d}{option_type[0].upper()}{round(strike * 1000):08d}"


def parse_occ(symbol: str) -> tuple[str, dt.date, str, float] | None:
    """(root, expiration, "call"|"put", strike) or None when not an OCC option symbol."""
    match = OCC_SYMBOL.match(symbol)
    if not match:
        return None
    root, ymd, cp, strike = match.groups()
    try:
        expiration = dt.datetime.strptime(ymd, "%y%m%d").date()
    except ValueError:
        return None
    return root, expiration, "call" if cp == "C" else "put", int(strike) / 1000


def model_vol(u: Underlying, strike: float, spot: float, years: float) -> float:
    """A deterministic smile: put-side skew, some curvature, a little term structure."""
    m = math.log(strike / spot)
    smile = 1.0 - 0.9 * m + 3.0 * m * m
    term = 1.0 + 0.08 * math.exp(-years * 12.0)
    return min(max(u.base_vol * smile * term, 0.05), 3.0)


def _bid_ask(theo: float, spread_pct: float) -> tuple[float, float]:
    """Bid and ask in whole cents around ``theo``; bid < ask always, bid never negative."""
    mid_c = theo * 100.0
    width_c = max(1, round(1 + mid_c * spread_pct))
    bid_c = max(0, round(mid_c - width_c / 2))
    ask_c = max(bid_c + 1, round(mid_c + width_c / 2))
    return bid_c / 100, ask_c / 100


def _iv_or_zero(is_call: bool, target: float, s: float, k: float, t: float, q: float) -> float:
    iv = pricing.implied_vol(is_call, target, s, k, t, RISK_FREE_RATE, q)
    return round(iv, 6) if iv is not None else 0.0


@functools.lru_cache(maxsize=4096)
def _option(
    symbol: str, expiration: dt.date, option_type: str, strike: float, spot: float, as_of: dt.date
) -> dict[str, Any]:
    u = UNDERLYINGS[symbol]
    is_call = option_type == "call"
    occ = occ_symbol(symbol, expiration, option_type, strike)
    days = (expiration - as_of).days
    years = max(days, 1) / 365.0
    q = u.dividend_yield
    sigma = model_vol(u, strike, spot, years)
    theo = pricing.price(is_call, spot, strike, years, RISK_FREE_RATE, q, sigma)
    g = pricing.greeks(is_call, spot, strike, years, RISK_FREE_RATE, q, sigma)
    bid, ask = _bid_ask(theo, u.spread_pct)
    h = [unit_hash(occ, i) for i in range(8)]
    last = _cents(bid + (ask - bid) * h[0])
    prevclose = _cents(max(0.01, last * (1 + (h[1] - 0.5) * 0.2)))
    change = _cents(last - prevclose)
    moneyness = abs(math.log(strike / u.spot))  # from the as-of spot so volume is stable
    volume = int(u.liquidity * math.exp(-moneyness * 25) * (0.2 + h[2]) / (1 + days / 20))
    open_interest = int(volume * (2 + 8 * h[3])) + int(50 * h[4] * u.liquidity / 1000)
    opened = _cents(max(0.01, prevclose * (1 + (h[5] - 0.5) * 0.1)))
    traded_ms = _market_close_ms(as_of) - int(h[6] * 600_000)
    option = {
        "symbol": occ,
        "description": f"{symbol} {expiration:%b} {expiration.day} {expiration.year} "
        f"${strike:.2f} {option_type.capitalize()}",
        "exch": "Z",
        "type": "option",
        "last": last,
        "change": change,
        "change_percentage": round(change / prevclose * 100, 2),
        "volume": volume,
        "average_volume": int(volume * (0.8 + 0.4 * h[7])),
        "last_volume": 1 + int(h[7] * 20),
        "trade_date": traded_ms,
        "open": opened,
        "high": _cents(max(opened, last, prevclose) * 1.04),
        "low": _cents(min(opened, last, prevclose) * 0.96),
        "close": last,
        "prevclose": prevclose,
        "week_52_high": 0.0,
        "week_52_low": 0.0,
        "bid": bid,
        "bidsize": 1 + int(h[4] * 400),
        "bidexch": "Q",
        "bid_date": traded_ms,
        "ask": ask,
        "asksize": 1 + int(h[5] * 400),
        "askexch": "C",
        "ask_date": traded_ms,
        "open_interest": open_interest,
        "underlying": symbol,
        "strike": strike,
        "contract_size": 100,
        "expiration_date": expiration.isoformat(),
        "expiration_type": expiration_type(expiration),
        "option_type": option_type,
        "root_symbol": symbol,
        "greeks": {
            "delta": round(g.delta, 6),
            "gamma": round(g.gamma, 6),
            "theta": round(g.theta, 6),
            "vega": round(g.vega, 6),
            "rho": round(g.rho, 6),
            "phi": round(g.phi, 6),
            "bid_iv": _iv_or_zero(is_call, bid, spot, strike, years, q),
            "mid_iv": _iv_or_zero(is_call, (bid + ask) / 2, spot, strike, years, q),
            "ask_iv": _iv_or_zero(is_call, ask, spot, strike, years, q),
            "smv_vol": round(sigma, 6),
            "updated_at": f"{as_of.isoformat()} 19:59:00",
        },
    }
    return _untraded(option) if volume == 0 else option


def _untraded(option: dict[str, Any]) -> dict[str, Any]:
    """Tradier's answer for a contract nobody traded: no last, no day range, no change; and with
    no bid either, no greeks at all (``"greeks": null``)."""
    blank = ("last", "change", "change_percentage", "open", "high", "low", "close", "prevclose")
    option = {**option, **dict.fromkeys(blank), "trade_date": 0, "last_volume": 0}
    option["average_volume"] = 0
    if option["bid"] == 0:
        option["greeks"] = None
    return option


def _without_greeks(option: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in option.items() if key != "greeks"}


def option_quote(
    occ: str, spot_of: dict[str, float], as_of: dt.date, with_greeks: bool
) -> dict[str, Any] | None:
    """The quote of a listed option, or None when the symbol is not one."""
    parsed = parse_occ(occ)
    if parsed is None:
        return None
    root, expiration, option_type, strike = parsed
    if root not in UNDERLYINGS or expiration not in expirations(root, as_of):
        return None
    if strike not in strikes(root) or option_type not in UNDERLYINGS[root].option_types:
        return None
    option = _option(root, expiration, option_type, strike, spot_of[root], as_of)
    return dict(option) if with_greeks else _without_greeks(option)


def chain(
    symbol: str, expiration: dt.date, spot: float, as_of: dt.date, with_greeks: bool
) -> list[dict[str, Any]] | None:
    """Every option of one expiration, ordered by strike then call before put; None if unlisted."""
    if symbol not in UNDERLYINGS or expiration not in expirations(symbol, as_of):
        return None
    options = [
        _option(symbol, expiration, option_type, strike, spot, as_of)
        for strike in strikes(symbol)
        for option_type in UNDERLYINGS[symbol].option_types
    ]
    return [dict(o) if with_greeks else _without_greeks(o) for o in options]


# ---------------------------------------------------------------------------------------------
# Underlyings


def underlying_quote(symbol: str, last: float, as_of: dt.date) -> dict[str, Any]:
    """Tradier's quote of an underlying whose current last price is ``last``."""
    u = UNDERLYINGS[symbol]
    h = [unit_hash(symbol, as_of, i) for i in range(8)]
    prevclose = _cents(u.spot * (1 + (h[0] - 0.5) * 0.02))
    opened = _cents(prevclose * (1 + (h[1] - 0.5) * 0.006))
    last = _cents(last)
    change = _cents(last - prevclose)
    volume = int(u.liquidity * 1000 * (0.6 + 0.8 * h[2]))
    traded_ms = _market_close_ms(as_of) - int(h[3] * 60_000)
    quote = {
        "symbol": symbol,
        "description": u.description,
        "exch": "P" if u.type == "etf" else "Q",
        "type": u.type,
        "last": last,
        "change": change,
        "volume": volume,
        "open": opened,
        "high": _cents(max(opened, last, prevclose) * (1 + 0.004 * h[4])),
        "low": _cents(min(opened, last, prevclose) * (1 - 0.004 * h[5])),
        "close": last,
        "bid": _cents(last - u.half_tick),
        "ask": _cents(last + u.half_tick),
        "change_percentage": round(change / prevclose * 100, 2),
        "average_volume": int(volume * (0.9 + 0.2 * h[6])),
        "last_volume": 100 + int(h[7] * 900),
        "trade_date": traded_ms,
        "prevclose": prevclose,
        "week_52_high": _cents(max(u.spot * 1.12, last)),
        "week_52_low": _cents(min(u.spot * 0.78, last)),
        "bidsize": 1 + int(h[6] * 20),
        "bidexch": "Q",
        "bid_date": traded_ms,
        "asksize": 1 + int(h[7] * 20),
        "askexch": "P",
        "ask_date": traded_ms,
        "root_symbols": symbol,
    }
    if u.type == "index":  # an index is computed, not traded: Tradier gives it no bid, ask or size
        quote.update(bid=None, ask=None, bidsize=0, asksize=0, volume=0, last_volume=0)
    return quote
