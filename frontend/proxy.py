"""The /api allowlist and the streaming proxy to the backend.

Only the method + path pairs in ``ALLOWLIST`` reach the backend: an unlisted path answers 404, a
listed path with another method 405, and neither is forwarded. Bodies are streamed both ways
(``aiter_raw``) so Server-Sent Events pass through as the backend writes them.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    streamed: bool = False


_SEGMENT = r"[^/]+"

ALLOWLIST: tuple[Route, ...] = (
    Route("GET", re.compile(r"/api/health")),
    Route("GET", re.compile(rf"/api/options/expirations/{_SEGMENT}")),
    Route("GET", re.compile(rf"/api/options/chain/{_SEGMENT}")),
    Route("GET", re.compile(r"/api/positions")),
    Route("GET", re.compile(r"/api/positions/stream"), streamed=True),
    Route("POST", re.compile(r"/api/auth/login")),
)

_REQUEST_HEADERS = ("authorization", "content-type", "accept", "last-event-id")
_RESPONSE_HEADERS = ("content-type", "cache-control", "www-authenticate", "retry-after")

CONNECT_TIMEOUT = 3.0
# A stream has a heartbeat every 2 s, so silence this long means the backend is gone.
STREAM_READ_TIMEOUT = 30.0


def match(method: str, path: str) -> tuple[Route | None, list[str]]:
    """The allowlisted route for ``method path``, and the methods allowed on that path."""
    allowed = [route.method for route in ALLOWLIST if route.pattern.fullmatch(path)]
    for route in ALLOWLIST:
        if route.method == method and route.pattern.fullmatch(path):
            return route, allowed
    return None, allowed


def _timeout(request: Request, route: Route) -> httpx.Timeout:
    # A plain request is bounded by the backend's own upstream timeout (3 s by default), so the
    # configured backend timeout (15 s by default) only catches a hung backend.
    read = STREAM_READ_TIMEOUT if route.streamed else request.app.state.backend_timeout
    return httpx.Timeout(read, connect=min(CONNECT_TIMEOUT, read))


def _error(status: int, detail: str, code: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"detail": detail, "code": code}, status_code=status, headers=headers)


async def proxy(request: Request) -> Response:
    """Forward an allowlisted /api request to the backend and stream the answer back."""
    path = request.url.path
    route, allowed = match(request.method, path)
    if route is None:
        if allowed:
            return _error(
                405, "Method not allowed", "method_not_allowed", {"Allow": ", ".join(allowed)}
            )
        return _error(404, "Not found", "not_found")

    client: httpx.AsyncClient = request.app.state.client
    headers = {k: v for k in _REQUEST_HEADERS if (v := request.headers.get(k)) is not None}
    # Identity encoding: raw bytes are relayed as they come, without re-encoding headers.
    headers["accept-encoding"] = "identity"
    body = await request.body() if route.method == "POST" else None
    upstream = client.build_request(
        route.method,
        path,
        params=request.url.query or None,
        headers=headers,
        content=body,
        timeout=_timeout(request, route),
    )
    try:
        response = await _send(client, upstream)
    except httpx.TimeoutException:
        return _error(504, "The backend did not answer in time", "backend_timeout")
    except httpx.TransportError:
        return _error(502, "The backend is unreachable", "backend_unreachable")

    out_headers = {k: v for k in _RESPONSE_HEADERS if (v := response.headers.get(k)) is not None}
    if route.streamed:
        out_headers["x-accel-buffering"] = "no"
    return StreamingResponse(
        _relay(response),
        status_code=response.status_code,
        headers=out_headers,
        background=BackgroundTask(response.aclose),
    )


async def _send(client: httpx.AsyncClient, upstream: httpx.Request) -> httpx.Response:
    """Send ``upstream``; a GET that failed on the connection (not by a timeout) is sent once more.

    A pooled keep-alive connection can be closed by the backend just as it is reused: the request
    then fails without the backend having seen it. A GET is safe to repeat, on a new connection;
    a POST (sign-in) is not repeated, and a backend that is really down fails twice as fast.
    """
    try:
        return await client.send(upstream, stream=True)
    except httpx.TimeoutException:
        raise
    except httpx.TransportError:
        if upstream.method != "GET":
            raise
        return await client.send(upstream, stream=True)


async def _relay(response: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_raw():
            yield chunk
    except httpx.HTTPError:
        # The status line is already sent; ending the body is all that is left to do, and the
        # browser's stream reader sees the end and reconnects.
        return
    finally:
        await response.aclose()
