"""The stub's HTTP surface: Tradier market-data routes, the guard in front of them, the control API.

``create_app`` wires everything; nothing is created at import time. See the package docstring for
the wire format and the control API.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import json
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stubs._server import AccessLogMiddleware
from stubs.tradier import market
from stubs.tradier.control import ENDPOINTS, FaultBook, FaultSpecError, RequestLog

MARKET_PREFIX = "/v1/"
CONTROL_PREFIX = "/__control/"


@dataclass
class StubState:
    token: str
    as_of: dt.date
    instance_id: str
    faults: FaultBook = field(default_factory=FaultBook)
    requests: RequestLog = field(default_factory=RequestLog)
    moved: dict[str, float] = field(default_factory=dict)

    def spot(self, symbol: str) -> float:
        return self.moved.get(symbol, market.UNDERLYINGS[symbol].spot)

    def spots(self) -> dict[str, float]:
        return {symbol: self.spot(symbol) for symbol in market.UNDERLYINGS}

    def reset(self) -> None:
        self.faults.clear()
        self.requests.clear()
        self.moved.clear()


# ---------------------------------------------------------------------------------------------
# Guard: request log, faults and auth for everything that is not the control API


def _endpoint_of(path: str) -> str | None:
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return last if last in ENDPOINTS else None


def _auth_of(scope: Scope, token: str) -> str:
    values = [v for k, v in scope["headers"] if k == b"authorization"]
    if not values:
        return "missing"
    expected = f"Bearer {token}".encode()
    return "valid" if hmac.compare_digest(values[0], expected) else "invalid"


async def drop_connection(receive: Receive) -> None:
    """Close the TCP connection without answering (the client sees the server hang up).

    uvicorn does not expose the transport to the app, and raising would make it answer 500, so the
    transport is taken from the server's bound ``receive`` (uvicorn's RequestResponseCycle).
    """
    transport = getattr(getattr(receive, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("drop needs uvicorn's transport; run the stub under uvicorn")
    transport.close()
    # Wait for uvicorn to see the disconnect, so it does not try to send its own 500.
    while (await receive())["type"] != "http.disconnect":
        pass


async def _send_fault(send: Send, status: int, fault_id: int) -> None:
    body = json.dumps(
        {"fault": {"faultstring": f"Injected fault (HTTP {status})", "detail": {"id": fault_id}}}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class MarketGuard:
    """In front of every non-control route: record the request, apply a fault, check the token."""

    def __init__(self, app: ASGIApp, state: StubState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        entry: dict[str, Any] = {
            "method": scope["method"],
            "path": path,
            "query": dict(parse_qsl(scope["query_string"].decode("latin-1"))),
            "status": None,
            "auth": _auth_of(scope, self.state.token),
            "fault": None,
            "at": dt.datetime.now(dt.UTC).isoformat(),
        }
        self.state.requests.record(entry)  # recorded now so a stalled request is already visible

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = int(message["status"])
            await send(message)

        fault = (
            self.state.faults.take(_endpoint_of(path)) if path.startswith(MARKET_PREFIX) else None
        )
        if fault is not None:
            entry["fault"] = fault.id
            if fault.delay_ms:
                await asyncio.sleep(fault.delay_ms / 1000)
            if fault.drop:
                entry["dropped"] = True
                await drop_connection(receive)
                return
            if fault.status is not None:
                await _send_fault(send_and_note, fault.status, fault.id)
                return
        if entry["auth"] != "valid":
            response = PlainTextResponse("Invalid Access Token", status_code=401)
            await response(scope, receive, send_and_note)
            return
        await self.app(scope, receive, send_and_note)


# ---------------------------------------------------------------------------------------------
# Market data (Tradier wire format)


def _state(request: Request) -> StubState:
    state: StubState = request.app.state.stub
    return state


def _one_or_list(items: list[Any]) -> Any:
    """Tradier's XML-to-JSON quirk: a one-element list arrives as the bare element."""
    return items[0] if len(items) == 1 else items


def _missing(name: str) -> Response:
    return PlainTextResponse(f"Missing required parameter: {name}", status_code=400)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


async def get_expirations(request: Request) -> Response:
    symbol = request.query_params.get("symbol", "").strip().upper()
    if not symbol:
        return _missing("symbol")
    state = _state(request)
    if symbol not in market.UNDERLYINGS:
        return JSONResponse({"expirations": None})
    dates = [d.isoformat() for d in market.expirations(symbol, state.as_of)]
    return JSONResponse({"expirations": {"date": _one_or_list(dates)}})


async def get_chains(request: Request) -> Response:
    symbol = request.query_params.get("symbol", "").strip().upper()
    expiration_text = request.query_params.get("expiration", "")
    if not symbol:
        return _missing("symbol")
    if not expiration_text:
        return _missing("expiration")
    state = _state(request)
    expiration = _parse_date(expiration_text)
    if symbol not in market.UNDERLYINGS or expiration is None:
        return JSONResponse({"options": None})
    with_greeks = _truthy(request.query_params.get("greeks"))
    options = market.chain(symbol, expiration, state.spot(symbol), state.as_of, with_greeks)
    if not options:
        return JSONResponse({"options": None})
    return JSONResponse({"options": {"option": _one_or_list(options)}})


async def _quote_params(request: Request) -> tuple[str, str | None]:
    if request.method == "POST":
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        return form.get("symbols", ""), form.get("greeks")
    return request.query_params.get("symbols", ""), request.query_params.get("greeks")


async def get_quotes(request: Request) -> Response:
    raw, greeks = await _quote_params(request)
    symbols = [s.strip().upper() for s in raw.split(",") if s.strip()]
    if not symbols:
        return _missing("symbols")
    state = _state(request)
    spots = state.spots()
    quotes: list[dict[str, Any]] = []
    unmatched: list[str] = []
    for symbol in symbols:
        if symbol in market.UNDERLYINGS:
            quotes.append(market.underlying_quote(symbol, spots[symbol], state.as_of))
            continue
        option = market.option_quote(symbol, spots, state.as_of, _truthy(greeks))
        if option is None:
            unmatched.append(symbol)
        else:
            quotes.append(option)
    body: dict[str, Any] = {}
    if quotes:
        body["quote"] = _one_or_list(quotes)
    if unmatched:
        body["unmatched_symbols"] = {"symbol": _one_or_list(unmatched)}
    return JSONResponse({"quotes": body})


# ---------------------------------------------------------------------------------------------
# Control API


async def _json_body(request: Request) -> Any:
    try:
        return await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _invalid(detail: str) -> Response:
    return JSONResponse({"detail": detail}, status_code=422)


async def get_health(request: Request) -> Response:
    state = _state(request)
    return JSONResponse(
        {
            "status": "ok",
            "instance_id": state.instance_id,
            "pid": os.getpid(),
            "as_of": state.as_of.isoformat(),
        }
    )


async def post_fault(request: Request) -> Response:
    try:
        fault = _state(request).faults.add(await _json_body(request))
    except FaultSpecError as exc:
        return _invalid(str(exc))
    return JSONResponse({"ok": True, "fault": fault.as_dict()})


async def get_faults(request: Request) -> Response:
    return JSONResponse({"faults": _state(request).faults.active()})


async def post_quote(request: Request) -> Response:
    body = await _json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("symbol"), str):
        return _invalid('body must be {"symbol": "SPY", "last": 612.5} or {"symbol", "move"}')
    state = _state(request)
    symbol = body["symbol"].strip().upper()
    if symbol not in market.UNDERLYINGS:
        return JSONResponse({"detail": f"unknown symbol {symbol}"}, status_code=404)
    has_last, has_move = "last" in body, "move" in body
    value = body.get("last" if has_last else "move")
    if has_last == has_move or isinstance(value, bool) or not isinstance(value, int | float):
        return _invalid('give exactly one number: "last" (new price) or "move" (change)')
    new_last = round(float(value) if has_last else state.spot(symbol) + float(value), 2)
    if not 0 < new_last < 1_000_000:
        return _invalid(f"resulting last {new_last} is not a positive price")
    state.moved[symbol] = new_last
    return JSONResponse(market.underlying_quote(symbol, new_last, state.as_of))


async def post_reset(request: Request) -> Response:
    _state(request).reset()
    return JSONResponse({"ok": True})


async def get_requests(request: Request) -> Response:
    return JSONResponse({"requests": _state(request).requests.entries()})


async def get_market(request: Request) -> Response:
    """The canonical market: what the market-data routes serve for the same state, quirks undone
    (lists stay lists), so a test can derive the expected answer of the app on top of it."""
    state = _state(request)
    symbol = request.query_params.get("symbol", "").strip().upper()
    if not symbol:
        return JSONResponse({"symbols": list(market.UNDERLYINGS)})
    if symbol not in market.UNDERLYINGS:
        return JSONResponse({"detail": f"unknown symbol {symbol}"}, status_code=404)
    dates = market.expirations(symbol, state.as_of)
    asked = request.query_params.get("expiration")
    expiration = _parse_date(asked) if asked else dates[0]
    if expiration not in dates:
        return JSONResponse({"detail": f"{symbol} has no expiration {asked}"}, status_code=404)
    return JSONResponse(
        {
            "symbol": symbol,
            "as_of": state.as_of.isoformat(),
            "expirations": [d.isoformat() for d in dates],
            "expiration": expiration.isoformat(),
            "quote": market.underlying_quote(symbol, state.spot(symbol), state.as_of),
            "options": market.chain(symbol, expiration, state.spot(symbol), state.as_of, True),
        }
    )


def create_app(state: StubState) -> ASGIApp:
    routes = [
        Route("/v1/markets/options/expirations", get_expirations, methods=["GET"]),
        Route("/v1/markets/options/chains", get_chains, methods=["GET"]),
        Route("/v1/markets/quotes", get_quotes, methods=["GET", "POST"]),
        Route("/__control/health", get_health, methods=["GET"]),
        Route("/__control/fault", post_fault, methods=["POST"]),
        Route("/__control/fault", get_faults, methods=["GET"]),
        Route("/__control/quote", post_quote, methods=["POST"]),
        Route("/__control/reset", post_reset, methods=["POST"]),
        Route("/__control/requests", get_requests, methods=["GET"]),
        Route("/__control/market", get_market, methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    app.state.stub = state
    return AccessLogMiddleware(MarketGuard(app, state))
