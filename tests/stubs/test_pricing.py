"""Unit tests of the stub's Black-Scholes pricing and of the market data built from it."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from stubs.tradier import market, pricing

AS_OF = dt.date(2026, 11, 20)
R = market.RISK_FREE_RATE


@pytest.mark.parametrize("strike", [80.0, 100.0, 125.0])
def test_put_call_parity_holds(strike: float) -> None:
    s, t, q, sigma = 100.0, 0.25, 0.01, 0.3
    call = pricing.price(True, s, strike, t, R, q, sigma)
    put = pricing.price(False, s, strike, t, R, q, sigma)
    assert call - put == pytest.approx(s * math.exp(-q * t) - strike * math.exp(-R * t), abs=1e-9)


def test_atm_call_price_matches_a_known_value() -> None:
    # Hull's textbook example: S=42, K=40, r=10%, sigma=20%, T=0.5 -> call 4.76, put 0.81
    assert pricing.price(True, 42, 40, 0.5, 0.10, 0.0, 0.2) == pytest.approx(4.7594, abs=1e-4)
    assert pricing.price(False, 42, 40, 0.5, 0.10, 0.0, 0.2) == pytest.approx(0.8086, abs=1e-4)


def test_call_delta_is_between_zero_and_one_and_put_delta_between_minus_one_and_zero() -> None:
    for strike in (50.0, 90.0, 100.0, 110.0, 200.0):
        call = pricing.greeks(True, 100.0, strike, 0.1, R, 0.0, 0.25)
        put = pricing.greeks(False, 100.0, strike, 0.1, R, 0.0, 0.25)
        assert 0.0 <= call.delta <= 1.0
        assert -1.0 <= put.delta <= 0.0
        assert call.delta - put.delta == pytest.approx(1.0)


def test_delta_matches_a_finite_difference_of_the_price() -> None:
    h = 1e-4
    up = pricing.price(True, 100 + h, 105, 0.2, R, 0.01, 0.3)
    down = pricing.price(True, 100 - h, 105, 0.2, R, 0.01, 0.3)
    assert pricing.greeks(True, 100, 105, 0.2, R, 0.01, 0.3).delta == pytest.approx(
        (up - down) / (2 * h), rel=1e-6
    )


def test_theta_is_negative_and_gamma_vega_positive_for_a_long_call() -> None:
    g = pricing.greeks(True, 100.0, 100.0, 0.1, R, 0.0, 0.25)
    assert g.theta < 0 < g.gamma
    assert g.vega > 0


def test_implied_vol_inverts_the_price() -> None:
    target = pricing.price(False, 230.0, 220.0, 0.08, R, 0.005, 0.31)
    assert pricing.implied_vol(False, target, 230.0, 220.0, 0.08, R, 0.005) == pytest.approx(
        0.31, abs=1e-6
    )


def test_implied_vol_is_none_below_intrinsic_value() -> None:
    assert pricing.implied_vol(True, 1.0, 100.0, 80.0, 0.1, R, 0.0) is None


def _spy_chain() -> list[dict]:
    expiration = market.expirations("SPY", AS_OF)[3]
    chain = market.chain("SPY", expiration, 601.23, AS_OF, with_greeks=True)
    assert chain is not None
    return chain


def test_every_option_has_bid_below_ask_in_whole_cents() -> None:
    for symbol in market.UNDERLYINGS:
        for expiration in market.expirations(symbol, AS_OF):
            spot = market.UNDERLYINGS[symbol].spot
            for option in market.chain(symbol, expiration, spot, AS_OF, with_greeks=False) or []:
                assert 0 <= option["bid"] < option["ask"]
                assert round(option["bid"], 2) == option["bid"]
                assert round(option["ask"], 2) == option["ask"]
                if option["volume"]:  # an untraded contract has no last (Tradier's null)
                    assert option["bid"] <= option["last"] <= option["ask"]
                else:
                    assert option["last"] is None


def test_the_mid_price_is_close_to_the_model_price() -> None:
    for option in _spy_chain():
        g = option["greeks"]
        years = (dt.date.fromisoformat(option["expiration_date"]) - AS_OF).days / 365
        theo = pricing.price(
            option["option_type"] == "call",
            601.23,
            option["strike"],
            years,
            R,
            market.UNDERLYINGS["SPY"].dividend_yield,
            g["smv_vol"],
        )
        assert (option["bid"] + option["ask"]) / 2 == pytest.approx(theo, abs=0.011)


def test_the_chain_is_deterministic() -> None:
    market._option.cache_clear()
    first = _spy_chain()
    market._option.cache_clear()
    assert _spy_chain() == first


def test_put_iv_is_higher_on_the_downside_than_at_the_money() -> None:
    puts = [o for o in _spy_chain() if o["option_type"] == "put"]
    assert puts[0]["greeks"]["smv_vol"] > puts[len(puts) // 2]["greeks"]["smv_vol"]


def test_bid_and_ask_iv_bracket_the_mid_iv() -> None:
    for option in _spy_chain():
        g = option["greeks"]
        if g["bid_iv"] > 0:
            assert g["bid_iv"] <= g["mid_iv"] <= g["ask_iv"]


def test_occ_symbols_round_trip() -> None:
    symbol = market.occ_symbol("SPY", dt.date(2026, 12, 4), "call", 600.0)
    assert symbol == "SPY261204C00600000"
    assert market.parse_occ(symbol) == ("SPY", dt.date(2026, 12, 4), "call", 600.0)


def test_occ_symbol_with_a_fractional_strike() -> None:
    assert market.occ_symbol("ONEX", dt.date(2026, 12, 18), "put", 42.5) == "ONEX261218P00042500"


def test_weekly_and_monthly_expirations_are_fridays_with_their_types() -> None:
    dates = market.expirations("SPY", AS_OF)
    assert all(d.weekday() == 4 and d > AS_OF for d in dates)
    assert market.expiration_type(dt.date(2026, 12, 18)) == "standard"
    assert market.expiration_type(dt.date(2026, 12, 11)) == "weeklys"
    assert dt.date(2027, 3, 19) in dates  # the fourth monthly after the as-of date
    assert len(dates) == 9


def test_onex_has_exactly_one_expiration() -> None:
    assert market.expirations("ONEX", AS_OF) == (dt.date(2026, 12, 18),)


def test_strike_grids_surround_the_spot() -> None:
    for symbol, u in market.UNDERLYINGS.items():
        grid = market.strikes(symbol)
        assert len(grid) == 2 * u.strikes_each_side + 1
        if len(grid) == 1:  # SOLO: a single listed strike
            assert abs(grid[0] - u.spot) < u.increment
            continue
        assert grid[0] < u.spot < grid[-1]
        assert all(
            b - a == pytest.approx(u.increment) for a, b in zip(grid, grid[1:], strict=False)
        )
