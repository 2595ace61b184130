"""Observability: JSON log lines on stdout, one request line per request, optional Sentry.

Nothing here ever logs headers, bodies or query strings, so tokens and passwords cannot leak
through it.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.config import Settings

EVENT_LOGGER = "backend.events"


class JsonFormatter(logging.Formatter):
    """Structured events (``log_event``) as-is; every other record as an ``event: log`` line."""

    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        payload: dict[str, Any]
        if isinstance(record.msg, dict):
            payload = {**record.msg, "ts": ts}
        else:
            payload = {
                "event": "log",
                "level": record.levelname.lower(),
                "logger": record.name,
                "message": record.getMessage(),
                "ts": ts,
            }
            if record.exc_info:
                payload["traceback"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


def configure_logging() -> None:
    """Route every logger (uvicorn's included) through one JSON handler on stdout."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Requests are logged by RequestLogMiddleware; httpx's own INFO lines would repeat
    # upstream URLs for every poll of the positions stream.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def log_event(event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Write one structured line ``{"event": event, **fields}``."""
    logging.getLogger(EVENT_LOGGER).log(level, {"event": event, **fields})


class RequestLogMiddleware:
    """Logs each request (path without query) and turns unexpected exceptions into JSON 500s."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            status = 500
            log_event("error", logging.ERROR, path=scope["path"], traceback=traceback.format_exc())
            _capture_in_sentry(exc)
            if not response_started:
                await _send_internal_error(send)
        finally:
            log_event(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )


async def _send_internal_error(send: Send) -> None:
    body = json.dumps({"detail": "internal server error", "code": "internal_error"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _capture_in_sentry(exc: BaseException) -> None:
    import sentry_sdk

    if sentry_sdk.is_initialized():
        sentry_sdk.capture_exception(exc)


def report_upstream_failure(exc: BaseException) -> None:
    """Report a market-data failure to Sentry: answered 502/504, no traceback, on-call must know."""
    _capture_in_sentry(exc)


_SCRUBBED_HEADERS = {"authorization", "cookie", "x-api-key"}


def _scrub_event(event: Any, hint: Any) -> Any:
    headers = event.get("request", {}).get("headers")
    if isinstance(headers, dict):
        for key in list(headers):
            if key.lower() in _SCRUBBED_HEADERS:
                headers[key] = "[Filtered]"
    return event


def init_sentry(settings: Settings, release: str) -> bool:
    """Start the Sentry SDK when ``SENTRY_DSN`` is set; True when it was started."""
    if settings.sentry_dsn is None:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        release=f"options-desk-backend@{release}",
        send_default_pii=False,
        # Stack-frame locals hold bearer tokens and the Tradier token (request headers, the
        # client's auth header); they must never leave the process.
        include_local_variables=False,
        before_send=_scrub_event,
        traces_sample_rate=0.0,
        # Exceptions are captured explicitly by RequestLogMiddleware; error *log lines* would
        # only duplicate them as separate events.
        integrations=[LoggingIntegration(event_level=None)],
    )
    return True
