"""Integration tests of the Tradier stub, a real process on a free port: wire shapes and control."""

from __future__ import annotations

import concurrent.futures
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.stubs.conftest import AS_OF, TOKEN
from tests.support.procs import RunningServer

EXPIRATIONS = "/v1/markets/options/expirations"
CHAINS = "/v1/markets/options/chains"
QUOTES = "/v1/markets/quotes"
SPY_EXPIRATION = "2026-12-18"

OPTION_FIELDS = {
    "symbol", "description", "type", "last", "change", "volume", "open", "high", "low", "close",
    "bid", "ask", "underlying", "strike", "open_interest", "contract_size", "expiration_date",
    "expiration_type", "option_type", "root_symbol", "bidsize", "asksize",
}  # fmt: skip
GREEK_FIELDS = {
    "delta", "gamma", "theta", "vega", "rho", "phi", "bid_iv", "mid_iv", "ask_iv", "smv_vol",
    "updated_at",
}  # fmt: skip
QUOTE_FIELDS = {
    "symbol", "description", "type", "last", "change", "change_percentage", "bid", "ask",
    "volume", "prevclose", "trade_date",
}  # fmt: skip


def wait_until(predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.01)  # poll interval, not a wait for an outcome
    pytest.fail(f"condition not met within {timeout}s")


def chain(market: httpx.Client, symbol: str = "SPY", **params: str) -> Any:
    query = {"symbol": symbol, "expiration": SPY_EXPIRATION, "greeks": "true", **params}
    response = market.get(CHAINS, params=query)
    assert response.status_code == 200
    return response.json()


def fault(control: httpx.Client, **spec: Any) -> dict[str, Any]:
    response = control.post("/__control/fault", json=spec)
    assert response.status_code == 200, response.text
    return response.json()


# --- control: health -------------------------------------------------------------------------


def test_health_echoes_instance_id_pid_and_as_of(
    tradier_stub: RunningServer, control: httpx.Client
) -> None:
    body = control.get("/__control/health").json()
    assert body == {
        "status": "ok",
        "instance_id": f"stub-{tradier_stub.port}",
        "pid": tradier_stub.proc.pid,
        "as_of": AS_OF,
    }


# --- expirations -----------------------------------------------------------------------------


def test_expirations_are_a_list_of_dates(market: httpx.Client) -> None:
    body = market.get(EXPIRATIONS, params={"symbol": "SPY"}).json()
    dates = body["expirations"]["date"]
    assert dates[:4] == ["2026-11-27", "2026-12-04", "2026-12-11", "2026-12-18"]
    assert dates == sorted(dates)
    assert len(dates) == 9


def test_a_single_expiration_arrives_as_a_bare_string(market: httpx.Client) -> None:
    body = market.get(EXPIRATIONS, params={"symbol": "ONEX"}).json()
    assert body == {"expirations": {"date": SPY_EXPIRATION}}


def test_expirations_of_an_unknown_symbol_are_null(market: httpx.Client) -> None:
    body = market.get(EXPIRATIONS, params={"symbol": "ZZZZ"}).json()
    assert body == {"expirations": None}


def test_symbols_are_case_insensitive(market: httpx.Client) -> None:
    body = market.get(EXPIRATIONS, params={"symbol": "onex"}).json()
    assert body == {"expirations": {"date": SPY_EXPIRATION}}


def test_a_missing_parameter_is_a_400(market: httpx.Client) -> None:
    response = market.get(EXPIRATIONS)
    assert response.status_code == 400
    assert response.text == "Missing required parameter: symbol"


# --- chains ----------------------------------------------------------------------------------


def test_chain_options_carry_tradier_fields_and_greeks(market: httpx.Client) -> None:
    options = chain(market)["options"]["option"]
    assert len(options) == 50
    for option in options:
        assert option.keys() >= OPTION_FIELDS
        assert option["greeks"].keys() >= GREEK_FIELDS
        assert option["type"] == "option"
        assert option["expiration_date"] == SPY_EXPIRATION
        assert option["expiration_type"] == "standard"


def test_chain_symbols_are_occ_and_strikes_ascend(market: httpx.Client) -> None:
    options = chain(market)["options"]["option"]
    calls = [o for o in options if o["option_type"] == "call"]
    assert [o["strike"] for o in calls] == sorted(o["strike"] for o in calls)
    atm = next(o for o in calls if o["strike"] == 600.0)
    assert atm["symbol"] == "SPY261218C00600000"
    assert atm["description"] == "SPY Dec 18 2026 $600.00 Call"


def test_a_weekly_expiration_is_typed_weeklys(market: httpx.Client) -> None:
    options = chain(market, expiration="2026-12-11")["options"]["option"]
    assert {o["expiration_type"] for o in options} == {"weeklys"}


def test_chain_without_greeks_has_no_greeks_object(market: httpx.Client) -> None:
    options = chain(market, greeks="false")["options"]["option"]
    assert all("greeks" not in o for o in options)


def test_chain_of_an_unknown_expiration_is_null(market: httpx.Client) -> None:
    assert chain(market, expiration="2026-12-12") == {"options": None}


def test_chain_of_an_unknown_symbol_is_null(market: httpx.Client) -> None:
    assert chain(market, symbol="ZZZZ") == {"options": None}


def test_chain_answers_are_identical_across_requests(market: httpx.Client) -> None:
    assert chain(market) == chain(market)


# --- quotes ----------------------------------------------------------------------------------


def test_one_quote_arrives_as_a_bare_object(market: httpx.Client) -> None:
    body = market.get(QUOTES, params={"symbols": "SPY"}).json()
    quote = body["quotes"]["quote"]
    assert isinstance(quote, dict)
    assert quote.keys() >= QUOTE_FIELDS
    assert (quote["symbol"], quote["type"], quote["last"]) == ("SPY", "etf", 601.23)
    assert quote["bid"] < quote["last"] < quote["ask"]
    assert "unmatched_symbols" not in body["quotes"]


def test_several_quotes_arrive_as_a_list_in_request_order(market: httpx.Client) -> None:
    body = market.get(QUOTES, params={"symbols": "AAPL,SPY261218P00600000,TSLA"}).json()
    quotes = body["quotes"]["quote"]
    assert [q["symbol"] for q in quotes] == ["AAPL", "SPY261218P00600000", "TSLA"]
    assert [q["type"] for q in quotes] == ["stock", "option", "stock"]


def test_an_option_quote_matches_its_chain_entry(market: httpx.Client) -> None:
    quote = market.get(QUOTES, params={"symbols": "SPY261218C00600000", "greeks": "true"}).json()[
        "quotes"
    ]["quote"]
    in_chain = next(
        o for o in chain(market)["options"]["option"] if o["symbol"] == "SPY261218C00600000"
    )
    assert quote == in_chain


def test_an_unknown_symbol_is_listed_as_unmatched(market: httpx.Client) -> None:
    body = market.get(QUOTES, params={"symbols": "SPY,ZZZZ"}).json()
    assert body["quotes"]["unmatched_symbols"] == {"symbol": "ZZZZ"}
    assert body["quotes"]["quote"]["symbol"] == "SPY"


def test_only_unknown_symbols_give_only_unmatched_symbols(market: httpx.Client) -> None:
    body = market.get(QUOTES, params={"symbols": "ZZZZ,SPY261218C00601000"}).json()
    assert body == {"quotes": {"unmatched_symbols": {"symbol": ["ZZZZ", "SPY261218C00601000"]}}}


def test_quotes_accept_a_post_form(market: httpx.Client) -> None:
    response = market.post(QUOTES, data={"symbols": "QQQ"})
    assert response.json()["quotes"]["quote"]["symbol"] == "QQQ"


# --- auth ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": TOKEN}],
    ids=["missing", "wrong", "not-bearer"],
)
def test_market_data_without_the_token_is_a_plain_401(
    tradier_stub: RunningServer, control: httpx.Client, headers: dict[str, str]
) -> None:
    response = httpx.get(tradier_stub.url + QUOTES, params={"symbols": "SPY"}, headers=headers)
    assert response.status_code == 401
    assert response.text == "Invalid Access Token"
    assert response.headers["content-type"].startswith("text/plain")


# --- faults ----------------------------------------------------------------------------------


def test_a_status_fault_fails_the_next_n_requests_then_recovers(
    market: httpx.Client, control: httpx.Client
) -> None:
    answer = fault(control, status=500, times=2)
    assert answer["ok"] is True
    assert answer["fault"]["status"] == 500
    statuses = [market.get(QUOTES, params={"symbols": "SPY"}).status_code for _ in range(3)]
    assert statuses == [500, 500, 200]


def test_a_status_fault_answers_with_a_json_body(
    market: httpx.Client, control: httpx.Client
) -> None:
    fault(control, status=503, times=1)
    response = market.get(QUOTES, params={"symbols": "SPY"})
    assert response.status_code == 503
    assert "Injected fault" in response.json()["fault"]["faultstring"]


def test_a_fault_for_one_endpoint_leaves_the_others_alone(
    market: httpx.Client, control: httpx.Client
) -> None:
    fault(control, status=502, times=1, endpoint="chains")
    assert market.get(QUOTES, params={"symbols": "SPY"}).status_code == 200
    assert market.get(EXPIRATIONS, params={"symbol": "SPY"}).status_code == 200
    params = {"symbol": "SPY", "expiration": SPY_EXPIRATION}
    assert market.get(CHAINS, params=params).status_code == 502
    assert market.get(CHAINS, params=params).status_code == 200


def test_times_minus_one_keeps_failing_until_reset(
    market: httpx.Client, control: httpx.Client
) -> None:
    fault(control, status=500, times=-1)
    assert [market.get(QUOTES, params={"symbols": "SPY"}).status_code for _ in range(5)] == [
        500
    ] * 5
    control.post("/__control/reset")
    assert market.get(QUOTES, params={"symbols": "SPY"}).status_code == 200


def test_faults_never_touch_the_control_api(control: httpx.Client) -> None:
    fault(control, status=500, times=-1)
    assert control.get("/__control/health").status_code == 200


def test_a_delay_fault_stalls_the_request_then_answers_normally(
    market: httpx.Client, control: httpx.Client
) -> None:
    fault_id = fault(control, delay_ms=1500, times=1)["fault"]["id"]

    def stalled() -> Any:
        entries = control.get("/__control/requests").json()["requests"]
        return [e for e in entries if e["fault"] == fault_id and e["status"] is None]

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(market.get, QUOTES, params={"symbols": "SPY"})
        wait_until(stalled)
        assert not pending.done()
        assert pending.result(timeout=10).status_code == 200


def test_a_drop_fault_closes_the_connection_without_a_response(
    market: httpx.Client, control: httpx.Client
) -> None:
    fault(control, drop=True, times=1)
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        market.get(QUOTES, params={"symbols": "SPY"})
    assert market.get(QUOTES, params={"symbols": "SPY"}).status_code == 200
    dropped = control.get("/__control/requests").json()["requests"][0]
    assert dropped["dropped"] is True
    assert dropped["status"] is None


def test_concurrent_requests_consume_each_fault_use_once(
    tradier_stub: RunningServer, control: httpx.Client
) -> None:
    fault(control, status=500, times=5)
    headers = {"Authorization": f"Bearer {TOKEN}"}

    def one(_: int) -> int:
        with httpx.Client(base_url=tradier_stub.url, headers=headers, timeout=10) as client:
            return client.get(QUOTES, params={"symbols": "SPY"}).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(one, range(20)))
    assert sorted(statuses) == [200] * 15 + [500] * 5


@pytest.mark.parametrize(
    "spec",
    [{"status": 999}, {"status": 500, "times": 0}, {"status": 500, "endpoint": "nope"}, {}],
    ids=["bad-status", "zero-times", "bad-endpoint", "empty"],
)
def test_an_invalid_fault_is_refused_with_422(control: httpx.Client, spec: dict) -> None:
    response = control.post("/__control/fault", json=spec)
    assert response.status_code == 422
    assert control.get("/__control/fault").json() == {"faults": []}


# --- quote moves -----------------------------------------------------------------------------


def test_setting_last_changes_the_underlying_quote(
    market: httpx.Client, control: httpx.Client
) -> None:
    answer = control.post("/__control/quote", json={"symbol": "SPY", "last": 612.5})
    assert answer.json()["last"] == 612.5
    assert market.get(QUOTES, params={"symbols": "SPY"}).json()["quotes"]["quote"]["last"] == 612.5


def test_a_move_reprices_the_chain(market: httpx.Client, control: httpx.Client) -> None:
    before = {o["symbol"]: o for o in chain(market)["options"]["option"]}
    moved = control.post("/__control/quote", json={"symbol": "SPY", "move": 10})
    assert moved.json()["last"] == 611.23
    after = {o["symbol"]: o for o in chain(market)["options"]["option"]}
    call, put = "SPY261218C00600000", "SPY261218P00600000"
    assert after[call]["bid"] > before[call]["bid"]
    assert after[put]["ask"] < before[put]["ask"]
    assert after[call]["greeks"]["delta"] > before[call]["greeks"]["delta"]


def test_reset_undoes_quote_moves(market: httpx.Client, control: httpx.Client) -> None:
    control.post("/__control/quote", json={"symbol": "AAPL", "last": 250})
    control.post("/__control/reset")
    assert (
        market.get(QUOTES, params={"symbols": "AAPL"}).json()["quotes"]["quote"]["last"] == 229.85
    )


def test_moving_an_unknown_symbol_is_a_404(control: httpx.Client) -> None:
    assert control.post("/__control/quote", json={"symbol": "ZZZZ", "last": 1}).status_code == 404


def test_a_quote_move_needs_exactly_one_of_last_and_move(control: httpx.Client) -> None:
    response = control.post("/__control/quote", json={"symbol": "SPY", "last": 1, "move": 1})
    assert response.status_code == 422


# --- request log and logs --------------------------------------------------------------------


def test_the_request_log_records_what_arrived_without_the_token(
    tradier_stub: RunningServer, market: httpx.Client, control: httpx.Client
) -> None:
    market.get(EXPIRATIONS, params={"symbol": "SPY"})
    httpx.get(tradier_stub.url + QUOTES, params={"symbols": "QQQ"})
    body = control.get("/__control/requests")
    entries = body.json()["requests"]
    assert [(e["method"], e["path"], e["query"], e["status"], e["auth"]) for e in entries] == [
        ("GET", EXPIRATIONS, {"symbol": "SPY"}, 200, "valid"),
        ("GET", QUOTES, {"symbols": "QQQ"}, 401, "missing"),
    ]
    assert TOKEN not in body.text


def test_reset_clears_the_request_log(market: httpx.Client, control: httpx.Client) -> None:
    market.get(QUOTES, params={"symbols": "SPY"})
    control.post("/__control/reset")
    assert control.get("/__control/requests").json() == {"requests": []}


def test_stdout_has_a_startup_line_and_request_lines_and_never_the_token(
    tradier_stub: RunningServer, market: httpx.Client
) -> None:
    market.get(QUOTES, params={"symbols": "TSLA"})

    def request_lines() -> list[dict[str, Any]]:
        lines = [json.loads(line) for line in tradier_stub.log().splitlines() if line]
        return [x for x in lines if x["event"] == "request" and x["path"] == QUOTES]

    wait_until(request_lines)
    startup = json.loads(tradier_stub.log().splitlines()[0])
    assert startup["event"] == "startup"
    assert (startup["pid"], startup["port"]) == (tradier_stub.proc.pid, tradier_stub.port)
    assert request_lines()[-1].keys() >= {"method", "path", "status", "duration_ms"}
    assert TOKEN not in tradier_stub.log()


# --- the awkward corners of the market ---------------------------------------------------------


def nearest_chain(market: httpx.Client, symbol: str) -> Any:
    expirations = market.get(EXPIRATIONS, params={"symbol": symbol}).json()["expirations"]["date"]
    first = expirations if isinstance(expirations, str) else expirations[0]
    return chain(market, symbol, expiration=first)["options"]["option"]


def test_strikes_cross_a_digit_boundary_on_half_dollar_steps(market: httpx.Client) -> None:
    strikes = sorted({o["strike"] for o in nearest_chain(market, "WMT")})

    assert 97.5 in strikes and 100.0 in strikes
    assert strikes.index(100.0) == strikes.index(97.5) + 1


def test_an_untraded_contract_has_no_last_and_without_a_bid_no_greeks(
    market: httpx.Client,
) -> None:
    options = nearest_chain(market, "WMT")
    untraded = [o for o in options if o["volume"] == 0]

    assert untraded and all(o["last"] is None and o["change"] is None for o in untraded)
    assert any(o["bid"] == 0 and o["greeks"] is None for o in untraded)
    assert all(o["greeks"] is not None for o in options if o["volume"] or o["bid"])


def test_a_long_chain_has_hundreds_of_four_digit_strikes(market: httpx.Client) -> None:
    strikes = {o["strike"] for o in nearest_chain(market, "SPX")}

    assert len(strikes) > 200 and min(strikes) >= 1000


def test_an_index_quote_has_no_bid_or_ask(market: httpx.Client) -> None:
    quote = market.get(QUOTES, params={"symbols": "SPX"}).json()["quotes"]["quote"]

    assert (quote["type"], quote["bid"], quote["ask"]) == ("index", None, None)
    assert isinstance(quote["last"], float)


def test_a_single_contract_arrives_as_bare_objects(market: httpx.Client) -> None:
    dates = market.get(EXPIRATIONS, params={"symbol": "SOLO"}).json()["expirations"]["date"]
    option = chain(market, "SOLO", expiration=dates)["options"]["option"]

    assert isinstance(dates, str)
    assert isinstance(option, dict) and option["option_type"] == "call"


@pytest.mark.parametrize("symbol", ["SPY", "WMT", "SOLO"])
def test_the_control_market_is_what_the_market_routes_serve(
    market: httpx.Client, control: httpx.Client, symbol: str
) -> None:
    control.post("/__control/quote", json={"symbol": symbol, "move": 0.37}).raise_for_status()

    canonical = control.get("/__control/market", params={"symbol": symbol}).json()

    served = nearest_chain(market, symbol)
    assert canonical["options"] == (served if isinstance(served, list) else [served])
    assert (
        canonical["quote"]
        == market.get(QUOTES, params={"symbols": symbol}).json()["quotes"]["quote"]
    )
    assert canonical["expiration"] == canonical["expirations"][0]


def test_the_control_market_lists_symbols_and_refuses_unknown_ones(control: httpx.Client) -> None:
    assert {"SPY", "WMT", "SPX", "SOLO"} <= set(control.get("/__control/market").json()["symbols"])
    assert control.get("/__control/market", params={"symbol": "ZZZZ"}).status_code == 404
    answer = control.get("/__control/market", params={"symbol": "SPY", "expiration": "2001-01-05"})
    assert answer.status_code == 404
