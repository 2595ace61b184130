"""The acceptance oracle's rules (docs/CONTRACTS.md §3) on small hand-made markets."""

from __future__ import annotations

from typing import Any

from acceptance import oracle


def _option(strike: float, option_type: str, **fields: Any) -> dict[str, Any]:
    greeks = {"delta": 0.5 if option_type == "call" else -0.5, "gamma": 0.1, "theta": -0.2}
    option = {
        "symbol": f"X{option_type[0].upper()}{strike}",
        "strike": strike,
        "option_type": option_type,
        "bid": 1.0,
        "ask": 1.1,
        "last": 1.05,
        "volume": 3,
        "open_interest": 9,
        "greeks": {**greeks, "vega": 0.3, "mid_iv": 0.2},
    }
    return {**option, **fields}


def _market(last: float | None, options: list[dict[str, Any]]) -> dict[str, Any]:
    quote = {"last": last, "bid": 99.0, "ask": 101.0, "change": 0.5}
    return {
        "symbol": "X",
        "expiration": "2026-12-04",
        "expirations": ["2026-12-04"],
        "quote": quote,
        "options": options,
    }


def test_a_tie_goes_to_the_lower_strike_and_a_strike_at_the_price_is_not_in_the_money() -> None:
    options = [_option(s, t) for s in (97.5, 100.0, 102.5) for t in ("call", "put")]

    tie = oracle.expected_chain(_market(98.75, options))
    on = oracle.expected_chain(_market(100.0, options))

    assert tie["atm_strike"] == 97.5
    assert [r["strike"] for r in on["strikes"]] == [97.5, 100.0, 102.5]
    middle = on["strikes"][1]
    assert (middle["call"]["in_the_money"], middle["put"]["in_the_money"]) == (False, False)


def test_without_a_last_the_mid_is_the_reference_and_without_either_there_is_none() -> None:
    options = [_option(100.0, "call")]

    assert oracle.expected_chain(_market(None, options))["atm_strike"] == 100.0
    bare = _market(None, options)
    bare["quote"].update(bid=None, ask=None)
    chain = oracle.expected_chain(bare)
    assert chain["atm_strike"] is None
    assert chain["strikes"][0]["call"]["in_the_money"] is None


def test_values_pass_through_and_null_greeks_blank_every_greek() -> None:
    options = [_option(100.0, "call", bid=0.0, last=None, greeks=None)]

    row = oracle.expected_chain(_market(101.0, options))["strikes"][0]

    assert row["put"] is None
    assert (row["call"]["bid"], row["call"]["last"]) == (0.0, None)
    assert {row["call"][k] for k in ("iv", "delta", "gamma", "theta", "vega")} == {None}


def test_a_position_is_marked_at_the_mid_and_valued_per_contract() -> None:
    option = {**_option(100.0, "put"), "underlying": "X", "expiration_date": "2026-12-04"}

    expected = oracle.expected_position({"avg_price": 1.0, "quantity": -5}, option)

    assert expected["mark"] == 1.05
    assert expected["pnl"] == -25.0


def test_differences_name_the_path_and_never_take_a_bool_for_a_number() -> None:
    want = {"strikes": [{"strike": 100.0, "call": {"delta": -0.5, "itm": True}}]}
    got = {"strikes": [{"strike": 100.0, "call": {"delta": 0.5, "itm": 1}}], "extra": 1}

    assert oracle.differences(want, got) == [
        ".strikes[100.0].call.delta: got 0.5, want -0.5",
        ".strikes[100.0].call.itm: got 1, want True",
    ]
    assert oracle.differences({"a": 0.1 + 0.2}, {"a": 0.3}, tolerance=1e-9) == []
    assert oracle.differences({"a": None}, {"a": 0.0}) == [".a: got 0.0, want None"]
