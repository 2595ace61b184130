"""A Sentry ingestion stand-in that keeps what it gets: ``python -m stubs.sentry_sink --port P``.

Point an SDK at it with a DSN such as ``http://publickey@127.0.0.1:P/42``.

    POST /api/<project_id>/envelope/   a Sentry envelope, plain or ``Content-Encoding: gzip``
                                       (``deflate``; ``br`` when the brotli module is installed)
        -> 200 {"id": <event_id or null>}; unreadable body -> 400, unknown encoding -> 415
    POST /api/<project_id>/store/      legacy single JSON event, kept as one "event" item
    GET  /__control/events[?wait_s=S]   with wait_s, waits up to S seconds (at most 30) for at
                                        least one event to arrive, so a test waits on the arrival
                                        itself instead of polling
        {"events": [{"project_id": "42", "headers": {envelope header},
                     "items": [{"type": "event", "headers": {item header},
                                "payload": <parsed JSON, or text when not JSON>}],
                     "content_encoding": "gzip" | "identity" | ...,
                     "received_at": ISO-8601 UTC}]}   oldest first
    GET  /__control/health   {"status": "ok", "instance_id", "pid"}
    POST /__control/reset    forgets every event -> {"ok": true}

Envelope format (https://develop.sentry.dev/sdk/data-model/envelopes/): a JSON header line, then
items, each a JSON item-header line and a payload that is either ``length`` bytes (when the item
header says so) or runs to the next newline. The ``X-Sentry-Auth`` header is not checked or kept.
Logs are JSON lines on stdout (startup, one per request).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gzip
import json
import os
import zlib
from collections import deque
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from stubs._server import AccessLogMiddleware, instance_id_from_env, serve

EVENT_LIMIT = 2000
MAX_WAIT_S = 30.0


class EnvelopeError(ValueError):
    """The body is not a Sentry envelope."""


def _payload(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return raw.decode("utf-8", "replace")


def parse_envelope(data: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(envelope header, items) of a Sentry envelope."""
    newline = data.find(b"\n")
    head, rest = (data, b"") if newline < 0 else (data[:newline], data[newline + 1 :])
    try:
        header = json.loads(head or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EnvelopeError(f"envelope header is not JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise EnvelopeError("envelope header is not a JSON object")
    items: list[dict[str, Any]] = []
    pos = 0
    while pos < len(rest):
        end = rest.find(b"\n", pos)
        line = rest[pos:] if end < 0 else rest[pos:end]
        pos = len(rest) if end < 0 else end + 1
        if not line.strip():
            continue
        try:
            item_header = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise EnvelopeError(f"item header is not JSON: {exc}") from exc
        if not isinstance(item_header, dict):
            raise EnvelopeError("item header is not a JSON object")
        length = item_header.get("length")
        if isinstance(length, int) and length >= 0:
            if pos + length > len(rest):
                raise EnvelopeError("item payload shorter than its length")
            raw = rest[pos : pos + length]
            pos += length
            if rest[pos : pos + 1] == b"\n":
                pos += 1
        else:
            end = rest.find(b"\n", pos)
            raw = rest[pos:] if end < 0 else rest[pos:end]
            pos = len(rest) if end < 0 else end + 1
        items.append(
            {"type": item_header.get("type"), "headers": item_header, "payload": _payload(raw)}
        )
    return header, items


def decode_body(body: bytes, encoding: str) -> bytes:
    """Undo ``Content-Encoding``; raises LookupError for an encoding the sink cannot read."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        try:
            import brotli  # type: ignore[import-not-found]
        except ImportError:
            raise LookupError("br (brotli is not installed)") from None
        return bytes(brotli.decompress(body))
    raise LookupError(encoding)


class EventStore:
    def __init__(self) -> None:
        self._events: deque[dict[str, Any]] = deque(maxlen=EVENT_LIMIT)
        self._arrived = asyncio.Condition()

    async def add(
        self,
        project_id: str,
        headers: dict[str, Any],
        items: list[dict[str, Any]],
        content_encoding: str,
    ) -> None:
        self._events.append(
            {
                "project_id": project_id,
                "headers": headers,
                "items": items,
                "content_encoding": content_encoding or "identity",
                "received_at": dt.datetime.now(dt.UTC).isoformat(),
            }
        )
        async with self._arrived:
            self._arrived.notify_all()

    async def wait_for_any(self, timeout_s: float) -> None:
        """Return once at least one event is stored, or after ``timeout_s``."""
        async with self._arrived:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._arrived.wait_for(lambda: bool(self._events)), timeout_s
                )

    def all(self) -> list[dict[str, Any]]:
        return list(self._events)

    def clear(self) -> None:
        self._events.clear()


def _store(request: Request) -> EventStore:
    store: EventStore = request.app.state.events
    return store


async def _decoded_body(request: Request) -> bytes | Response:
    try:
        return decode_body(await request.body(), request.headers.get("content-encoding", ""))
    except LookupError as exc:
        return JSONResponse({"detail": f"unsupported Content-Encoding {exc}"}, status_code=415)
    except (OSError, EOFError, zlib.error) as exc:
        return JSONResponse({"detail": f"cannot decode body: {exc}"}, status_code=400)


async def post_envelope(request: Request) -> Response:
    body = await _decoded_body(request)
    if isinstance(body, Response):
        return body
    try:
        headers, items = parse_envelope(body)
    except EnvelopeError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=400)
    encoding = request.headers.get("content-encoding", "")
    await _store(request).add(request.path_params["project_id"], headers, items, encoding)
    return JSONResponse({"id": headers.get("event_id")})


async def post_store(request: Request) -> Response:
    body = await _decoded_body(request)
    if isinstance(body, Response):
        return body
    event = _payload(body)
    if not isinstance(event, dict):
        return JSONResponse({"detail": "body is not a JSON event"}, status_code=400)
    item = {"type": "event", "headers": {"type": "event"}, "payload": event}
    encoding = request.headers.get("content-encoding", "")
    headers = {"event_id": event.get("event_id")}
    await _store(request).add(request.path_params["project_id"], headers, [item], encoding)
    return JSONResponse({"id": event.get("event_id")})


async def get_events(request: Request) -> Response:
    store = _store(request)
    wait = request.query_params.get("wait_s")
    if wait is not None:
        try:
            wait_s = min(float(wait), MAX_WAIT_S)
        except ValueError:
            return JSONResponse({"detail": "wait_s must be a number of seconds"}, 422)
        await store.wait_for_any(wait_s)
    return JSONResponse({"events": store.all()})


async def get_health(request: Request) -> Response:
    return JSONResponse(
        {"status": "ok", "instance_id": request.app.state.instance_id, "pid": os.getpid()}
    )


async def post_reset(request: Request) -> Response:
    _store(request).clear()
    return JSONResponse({"ok": True})


def create_app(instance_id: str) -> ASGIApp:
    app = Starlette(
        routes=[
            Route("/api/{project_id}/envelope/", post_envelope, methods=["POST"]),
            Route("/api/{project_id}/store/", post_store, methods=["POST"]),
            Route("/__control/events", get_events, methods=["GET"]),
            Route("/__control/health", get_health, methods=["GET"]),
            Route("/__control/reset", post_reset, methods=["POST"]),
        ]
    )
    app.state.events = EventStore()
    app.state.instance_id = instance_id
    return AccessLogMiddleware(app)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m stubs.sentry_sink", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8098, help="port to listen on")
    args = parser.parse_args(argv)
    instance_id = instance_id_from_env()
    serve(
        create_app(instance_id),
        host=args.host,
        port=args.port,
        startup={"instance_id": instance_id},
    )


if __name__ == "__main__":
    main()
