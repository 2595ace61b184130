"""What the API documents in its OpenAPI schema: the answer of every route and its errors.

The routes return plain dicts (their shape is built in ``backend.chain`` and ``backend.book``);
these models only *describe* them, so the published schema says what a client really gets
(CONTRACTS.md §3) and a schema-driven fuzzer can hold the API to it. They are documentation, not
a second validation layer: a shape bug shows as a schema mismatch, not as a masked 500.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel


class ErrorBody(BaseModel):
    """Every error answer: a human ``detail`` and a machine-readable ``code``."""

    detail: str
    code: str
    errors: list[dict[str, Any]] | None = None


_ERRORS = {
    400: "The body cannot be parsed at all (invalid_request)",
    401: "Missing, bad or expired bearer token (not_authenticated / invalid_credentials)",
    404: "Unknown symbol or expiration (unknown_symbol / unknown_expiration / not_found)",
    422: "Malformed input (invalid_symbol / invalid_expiration / invalid_request)",
    502: "Upstream failed, answered garbage or refused our token (upstream_error / upstream_auth)",
    504: "Upstream did not answer in time (upstream_timeout)",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entry documenting ``statuses`` as JSON ``ErrorBody`` answers."""
    return {status: {"model": ErrorBody, "description": _ERRORS[status]} for status in statuses}


UPSTREAM_ERRORS = (502, 504)


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    pid: int
    instance_id: str
    started_at: str


class Expirations(BaseModel):
    symbol: str
    expirations: list[str]


class Underlying(BaseModel):
    symbol: str
    last: float | None
    bid: float | None
    ask: float | None
    change: float | None


class OptionSide(BaseModel):
    symbol: str | None
    bid: float | None
    ask: float | None
    last: float | None
    volume: int | None
    open_interest: int | None
    iv: float | None
    delta: float | None
    gamma: float | None
    theta: float | None
    vega: float | None
    in_the_money: bool | None


class StrikeRow(BaseModel):
    strike: float
    call: OptionSide | None
    put: OptionSide | None


class Chain(BaseModel):
    symbol: str
    expiration: str
    expirations: list[str]
    underlying: Underlying
    atm_strike: float | None
    strikes: list[StrikeRow]


class Position(BaseModel):
    symbol: str
    underlying: str
    option_type: Literal["call", "put"]
    strike: float
    expiration: str
    quantity: int
    avg_price: float
    mark: float | None
    pnl: float | None


class Positions(BaseModel):
    positions: list[Position]
    as_of: str


# One SSE event as a client parses it; heartbeats are comments, not events.
STREAM_EVENT_SCHEMA = {
    "type": "object",
    "properties": {
        "event": {"const": "positions"},
        "data": {"type": "string", "contentMediaType": "application/json"},
    },
    "required": ["event", "data"],
}
STREAM_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-Sent Events: `event: positions`, data a Positions document (JSON)",
        "content": {"text/event-stream": {"schema": STREAM_EVENT_SCHEMA}},
    }
}
