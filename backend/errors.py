"""Error mapping: every failure the API foresees answers JSON ``{"detail", "code"}``.

Upstream failures map to 404/502/504 here, framework errors keep their status with a ``code``
added, and anything unexpected becomes a JSON 500 (logged with its traceback by the request
middleware in ``backend.telemetry``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.telemetry import report_upstream_failure
from backend.tradier import (
    TradierError,
    UnknownSymbol,
    UpstreamAuthError,
    UpstreamError,
    UpstreamTimeout,
)


class ApiError(Exception):
    """An error the API answers deliberately, with its status and machine-readable code."""

    def __init__(
        self, status: int, code: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers


_HTTP_CODES = {
    # FastAPI's own 400: a body it cannot even parse (not JSON, not UTF-8).
    400: "invalid_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
}


def upstream_status(exc: TradierError) -> tuple[int, str]:
    """The HTTP status and code an upstream failure answers with."""
    if isinstance(exc, UnknownSymbol):
        return 404, "unknown_symbol"
    if isinstance(exc, UpstreamTimeout):
        return 504, "upstream_timeout"
    if isinstance(exc, UpstreamAuthError):
        return 502, "upstream_auth"
    if isinstance(exc, UpstreamError):
        return 502, "upstream_error"
    return 502, exc.code


def error_response(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code, **extra}, status, headers=headers)


async def handle_api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.detail, exc.headers)


async def handle_tradier_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TradierError)
    status, code = upstream_status(exc)
    if status >= 500:
        report_upstream_failure(exc)
    return error_response(status, code, str(exc))


async def handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    return error_response(exc.status_code, code, str(exc.detail), exc.headers)


async def handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    summary = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)
    return error_response(422, "invalid_request", summary or "invalid request", errors=errors)


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on ``app``."""
    app.add_exception_handler(ApiError, handle_api_error)
    app.add_exception_handler(TradierError, handle_tradier_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
