"""Unit tests of ``backend.tradier`` against ``httpx.MockTransport``: quirks and failure mapping."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx
import pytest

from backend.tradier import (
    TradierClient,
    UnknownSymbol,
    UpstreamAuthError,
    UpstreamError,
    UpstreamTimeout,
    as_list,
)

T = TypeVar("T")
Handler = Callable[[httpx.Request], httpx.Response]


def call(handler: Handler, use: Callable[[TradierClient], Coroutine[Any, Any, T]]) -> T:
    async def run() -> T:
        client = TradierClient("http://tradier.test", "tok", 1.0, httpx.MockTransport(handler))
        try:
            return await use(client)
        finally:
            await client.aclose()

    return asyncio.run(run())


def answer(body: Any, status: int = 200) -> Handler:
    return lambda request: httpx.Response(status, json=body)


def test_as_list_normalises_null_bare_and_list() -> None:
    assert as_list(None) == []
    assert as_list("2026-12-04") == ["2026-12-04"]
    assert as_list({"a": 1}) == [{"a": 1}]
    assert as_list([1, 2]) == [1, 2]


def test_client_sends_bearer_token_and_accept_json() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"expirations": {"date": ["2026-12-04"]}})

    call(handler, lambda c: c.get_expirations("SPY"))
    assert seen[0].headers["authorization"] == "Bearer tok"
    assert seen[0].headers["accept"] == "application/json"
    assert seen[0].url.path == "/v1/markets/options/expirations"
    assert seen[0].url.params["symbol"] == "SPY"


def test_expirations_list_is_sorted() -> None:
    body = {"expirations": {"date": ["2026-12-11", "2026-12-04"]}}
    assert call(answer(body), lambda c: c.get_expirations("SPY")) == ["2026-12-04", "2026-12-11"]


def test_single_expiration_as_bare_string_becomes_list() -> None:
    body = {"expirations": {"date": "2026-12-04"}}
    assert call(answer(body), lambda c: c.get_expirations("ONEX")) == ["2026-12-04"]


def test_null_expirations_is_unknown_symbol() -> None:
    with pytest.raises(UnknownSymbol):
        call(answer({"expirations": None}), lambda c: c.get_expirations("ZZZZ"))


def test_single_option_as_bare_object_becomes_list() -> None:
    option = {"symbol": "SPY261204C00600000", "strike": 600.0, "option_type": "call"}
    body = {"options": {"option": option}}
    assert call(answer(body), lambda c: c.get_chain("SPY", "2026-12-04")) == [option]


def test_null_chain_is_empty() -> None:
    assert call(answer({"options": None}), lambda c: c.get_chain("SPY", "2026-12-05")) == []


def test_chain_asks_for_greeks() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"options": None})

    call(handler, lambda c: c.get_chain("SPY", "2026-12-04"))
    assert dict(seen[0].url.params) == {
        "symbol": "SPY",
        "expiration": "2026-12-04",
        "greeks": "true",
    }


def test_single_quote_as_bare_object_is_keyed_by_symbol() -> None:
    body = {"quotes": {"quote": {"symbol": "SPY", "last": 600.0}}}
    assert call(answer(body), lambda c: c.get_quotes(["SPY"])) == {
        "SPY": {"symbol": "SPY", "last": 600.0}
    }


def test_unmatched_quotes_are_absent() -> None:
    body = {
        "quotes": {
            "quote": [{"symbol": "SPY", "last": 600.0}],
            "unmatched_symbols": {"symbol": "ZZZZ"},
        }
    }
    assert set(call(answer(body), lambda c: c.get_quotes(["SPY", "ZZZZ"]))) == {"SPY"}


def test_all_unmatched_quotes_are_empty() -> None:
    body = {"quotes": {"unmatched_symbols": {"symbol": "ZZZZ"}}}
    assert call(answer(body), lambda c: c.get_quotes(["ZZZZ"])) == {}


def test_no_symbols_makes_no_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    assert call(handler, lambda c: c.get_quotes([])) == {}


def test_5xx_is_upstream_error() -> None:
    with pytest.raises(UpstreamError, match="500"):
        call(answer({"error": "boom"}, 500), lambda c: c.get_expirations("SPY"))


def test_401_is_upstream_auth_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, text="Invalid Access Token")

    with pytest.raises(UpstreamAuthError):
        call(handler, lambda c: c.get_expirations("SPY"))


def test_non_json_body_is_upstream_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>maintenance</html>")

    with pytest.raises(UpstreamError, match="not JSON"):
        call(handler, lambda c: c.get_expirations("SPY"))


def test_json_of_the_wrong_shape_is_upstream_error() -> None:
    with pytest.raises(UpstreamError):
        call(answer(["not", "an", "object"]), lambda c: c.get_expirations("SPY"))


def test_missing_top_level_key_is_upstream_error() -> None:
    with pytest.raises(UpstreamError):
        call(answer({"fault": "x"}), lambda c: c.get_chain("SPY", "2026-12-04"))


def test_connection_refused_is_upstream_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(UpstreamError, match="unreachable"):
        call(handler, lambda c: c.get_expirations("SPY"))


def test_dropped_connection_is_upstream_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("server disconnected", request=request)

    with pytest.raises(UpstreamError):
        call(handler, lambda c: c.get_expirations("SPY"))


def test_read_timeout_is_upstream_timeout() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(UpstreamTimeout):
        call(handler, lambda c: c.get_expirations("SPY"))


def test_timeout_is_not_reported_as_plain_upstream_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("slow", request=request)

    with pytest.raises(UpstreamTimeout):
        call(handler, lambda c: c.get_quotes(["SPY"]))
