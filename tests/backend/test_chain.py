"""Unit tests of ``backend.chain``: ATM strike, in-the-money flags and the row shape."""

from __future__ import annotations

from typing import Any

from backend.chain import atm_strike, build_chain, in_the_money, mid

EXPIRATION = "2026-12-04"


def option(strike: float, option_type: str, **fields: Any) -> dict[str, Any]:
    letter = "C" if option_type == "call" else "P"
    return {
        "symbol": f"SPY261204{letter}{int(strike * 1000):08d}",
        "strike": strike,
        "option_type": option_type,
        "bid": 1.0,
        "ask": 1.1,
        "last": 1.05,
        "volume": 10,
        "open_interest": 100,
        "greeks": {"mid_iv": 0.213, "delta": 0.5, "gamma": 0.01, "theta": -0.2, "vega": 0.3},
        **fields,
    }


def test_atm_is_the_closest_strike() -> None:
    assert atm_strike([595.0, 600.0, 605.0], 601.2) == 600.0


def test_atm_tie_takes_the_lower_strike() -> None:
    assert atm_strike([600.0, 605.0], 602.5) == 600.0


def test_atm_tie_takes_the_lower_strike_whatever_the_order() -> None:
    assert atm_strike([605.0, 600.0], 602.5) == 600.0


def test_atm_without_price_is_none() -> None:
    assert atm_strike([600.0], None) is None


def test_call_is_itm_below_the_price() -> None:
    assert in_the_money("call", 595.0, 600.0) is True
    assert in_the_money("call", 605.0, 600.0) is False


def test_put_is_itm_above_the_price() -> None:
    assert in_the_money("put", 605.0, 600.0) is True
    assert in_the_money("put", 595.0, 600.0) is False


def test_strike_at_the_price_is_itm_for_neither() -> None:
    assert in_the_money("call", 600.0, 600.0) is False
    assert in_the_money("put", 600.0, 600.0) is False


def test_mid_of_bid_and_ask() -> None:
    assert mid({"bid": 1.0, "ask": 1.1}) == 1.05


def test_mid_without_a_side_is_none() -> None:
    assert mid({"bid": None, "ask": 1.1}) is None


def test_chain_rows_are_ascending_with_both_sides() -> None:
    options = [option(605.0, "put"), option(595.0, "call"), option(605.0, "call")]
    options.append(option(595.0, "put"))
    chain = build_chain("SPY", EXPIRATION, [EXPIRATION], options, {"last": 601.0})
    assert [row["strike"] for row in chain["strikes"]] == [595.0, 605.0]
    assert all(row["call"] and row["put"] for row in chain["strikes"])


def test_chain_side_shape_takes_iv_from_mid_iv() -> None:
    chain = build_chain("SPY", EXPIRATION, [EXPIRATION], [option(600.0, "call")], {"last": 601.0})
    call = chain["strikes"][0]["call"]
    assert call == {
        "symbol": "SPY261204C00600000",
        "bid": 1.0,
        "ask": 1.1,
        "last": 1.05,
        "volume": 10,
        "open_interest": 100,
        "iv": 0.213,
        "delta": 0.5,
        "gamma": 0.01,
        "theta": -0.2,
        "vega": 0.3,
        "in_the_money": True,
    }


def test_chain_missing_side_is_null() -> None:
    chain = build_chain("SPY", EXPIRATION, [EXPIRATION], [option(600.0, "call")], {"last": 601.0})
    assert chain["strikes"][0]["put"] is None


def test_chain_without_greeks_has_null_iv() -> None:
    lone = option(600.0, "call", greeks=None)
    chain = build_chain("SPY", EXPIRATION, [EXPIRATION], [lone], {"last": 601.0})
    assert chain["strikes"][0]["call"]["iv"] is None


def test_chain_header_fields() -> None:
    quote = {"symbol": "SPY", "last": 601.23, "bid": 601.2, "ask": 601.26, "change": 1.5}
    options = [option(600.0, "call"), option(605.0, "call")]
    chain = build_chain("SPY", EXPIRATION, [EXPIRATION, "2026-12-11"], options, quote)
    assert chain["symbol"] == "SPY"
    assert chain["expiration"] == EXPIRATION
    assert chain["expirations"] == [EXPIRATION, "2026-12-11"]
    assert chain["underlying"] == {
        "symbol": "SPY",
        "last": 601.23,
        "bid": 601.2,
        "ask": 601.26,
        "change": 1.5,
    }
    assert chain["atm_strike"] == 600.0


def test_chain_falls_back_to_mid_when_last_is_null() -> None:
    options = [option(600.0, "call"), option(605.0, "call")]
    chain = build_chain("SPY", EXPIRATION, [EXPIRATION], options, {"bid": 604.0, "ask": 606.0})
    assert chain["atm_strike"] == 605.0
