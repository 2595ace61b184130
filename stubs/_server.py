"""Plumbing shared by the stub servers: JSON log lines, an access-log middleware, and serving.

Each stub prints one JSON object per line on stdout: a startup line once the port is bound and one
``{"event": "request", ...}`` line per HTTP request. Header values are never logged.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from collections.abc import Mapping
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def log_json(event: str, **fields: Any) -> None:
    """Write one JSON log line to stdout."""
    print(json.dumps({"event": event, **fields}, default=str), flush=True)


def instance_id_from_env(env: Mapping[str, str] | None = None) -> str:
    """``QE_INSTANCE_ID`` when set (so a harness can prove who answers), else a fresh UUID."""
    value = (env if env is not None else os.environ).get("QE_INSTANCE_ID", "").strip()
    return value or str(uuid.uuid4())


def fail_startup(program: str, message: str) -> None:
    """Stop before serving with one clear line on stderr and exit code 2."""
    print(f"{program}: {message}", file=sys.stderr, flush=True)
    raise SystemExit(2)


class AccessLogMiddleware:
    """Log method, path, status and duration of each HTTP request (status null if none was sent)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: int | None = None

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            log_json(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )


def serve(app: ASGIApp, *, host: str, port: int, startup: Mapping[str, Any]) -> None:
    """Bind, print the startup line (the port is held from then on), and serve until signalled."""
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    sock = config.bind_socket()  # exits with uvicorn's own message if the port is taken
    log_json("startup", pid=os.getpid(), host=host, port=sock.getsockname()[1], **startup)
    uvicorn.Server(config).run(sockets=[sock])
