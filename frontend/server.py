"""The frontend server: static UI, SPA routes, ``/healthz`` and the /api proxy; JSON logs.

Logs are JSON lines on stdout: ``{"event": "startup", ...}`` once the socket is bound, and one
``{"event": "request", "method", "path", "status", "duration_ms"}`` per request (path without the
query string; no headers, bodies or tokens).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frontend import __version__
from frontend.proxy import proxy

STATIC_DIR = Path(__file__).resolve().parent / "static"
API_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
NO_STORE = {"Cache-Control": "no-store"}
# Idle pooled connections to the backend are dropped well before uvicorn's own keep-alive timeout
# (5 s) closes them, so the proxy seldom reuses a connection the backend is closing.
POOL_LIMITS = httpx.Limits(keepalive_expiry=2.0)
# What a trading front end should send with every answer: scripts, styles and data only from this
# origin (the UI has no inline script or style), never framed (clickjacking an order ticket), no
# MIME sniffing, no referrer leaving the site. HSTS belongs to the TLS terminator in front of it.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        b"frame-ancestors 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


def log_line(event: str, **fields: Any) -> None:
    """Write one JSON log line to stdout."""
    print(json.dumps({"event": event, "ts": round(time.time(), 3), **fields}), flush=True)


class RequestLogMiddleware:
    """One log line per request, written when the response (streams included) has finished."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            log_line(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - start) * 1000, 1),
            )


class SecurityHeadersMiddleware:
    """Adds SECURITY_HEADERS to every answer (streams pass through untouched otherwise)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_wrapper)


async def index(request: Request) -> Response:
    return FileResponse(STATIC_DIR / "index.html", headers=NO_STORE)


async def root(request: Request) -> Response:
    return RedirectResponse("/options/SPY", status_code=307)


async def healthz(request: Request) -> Response:
    state = request.app.state
    return JSONResponse(
        {
            "status": "ok",
            "version": __version__,
            "pid": os.getpid(),
            "instance_id": state.instance_id,
            "backend_url": state.backend_url,
        }
    )


def create_app(
    backend_url: str, instance_id: str | None = None, backend_timeout: float = 15.0
) -> Starlette:
    """Build the ASGI app proxying /api to ``backend_url``."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # One pooled client for the whole process; per-request timeouts are set by the proxy.
        async with httpx.AsyncClient(
            base_url=backend_url, follow_redirects=False, limits=POOL_LIMITS
        ) as client:
            app.state.client = client
            yield

    app = Starlette(
        routes=[
            Route("/", root),
            Route("/healthz", healthz),
            Route("/signin", index),
            Route("/options/{symbol}", index),
            Route("/api/{rest:path}", proxy, methods=API_METHODS),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        ],
        lifespan=lifespan,
    )
    app.state.backend_url = backend_url
    app.state.backend_timeout = backend_timeout
    app.state.instance_id = instance_id or os.environ.get("QE_INSTANCE_ID") or str(uuid.uuid4())
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestLogMiddleware)
    return app


class _Server(uvicorn.Server):
    """uvicorn server that logs the startup line only once the socket is actually bound."""

    def __init__(self, config: uvicorn.Config, app: Starlette) -> None:
        super().__init__(config)
        self._app = app

    async def startup(self, sockets: list[Any] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            log_line(
                "startup",
                pid=os.getpid(),
                host=self.config.host,
                port=self.config.port,
                version=__version__,
                instance_id=self._app.state.instance_id,
                backend_url=self._app.state.backend_url,
            )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m frontend", description=__doc__)
    parser.add_argument("--port", type=int, default=3000, help="port to listen on (default 3000)")
    parser.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    parser.add_argument(
        "--backend-url",
        default=os.environ.get("BACKEND_URL"),
        help="backend base URL, e.g. http://127.0.0.1:8001 (default: env BACKEND_URL)",
    )
    parser.add_argument(
        "--backend-timeout",
        type=float,
        default=float(os.environ.get("BACKEND_TIMEOUT_S", "15")),
        help="seconds to wait for the backend's answer before a 504 (default 15, env "
        "BACKEND_TIMEOUT_S)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.backend_url:
        print(
            "frontend: no backend URL: pass --backend-url URL or set BACKEND_URL", file=sys.stderr
        )
        return 2
    backend_url = args.backend_url.rstrip("/")
    if not backend_url.startswith(("http://", "https://")):
        print(f"frontend: --backend-url must be an http(s) URL: {backend_url!r}", file=sys.stderr)
        return 2
    app = create_app(backend_url, backend_timeout=args.backend_timeout)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    server = _Server(config, app)
    with suppress(KeyboardInterrupt):
        asyncio.run(server.serve())
    return 0 if server.started else 1
