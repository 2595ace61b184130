"""Unit tests of ``backend.telemetry``: JSON lines, the request log and the 500 fallback."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from backend.telemetry import JsonFormatter, RequestLogMiddleware


async def ok(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def boom(request: Request) -> PlainTextResponse:
    raise RuntimeError("boom")


def get(path: str) -> httpx.Response:
    app = Starlette(
        routes=[Route("/ok", ok), Route("/boom", boom)],
        middleware=[Middleware(RequestLogMiddleware)],
    )

    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            return await client.get(path)

    return asyncio.run(run())


def events(caplog: pytest.LogCaptureFixture, name: str) -> list[dict[str, object]]:
    return [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg["event"] == name]


def test_request_line_has_path_without_query(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    get("/ok?token=secret-value")
    (line,) = events(caplog, "request")
    assert line["path"] == "/ok"
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert "secret-value" not in json.dumps(line)


def test_unexpected_exception_answers_json_500(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    response = get("/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal server error", "code": "internal_error"}


def test_unexpected_exception_logs_a_traceback(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    get("/boom")
    (line,) = events(caplog, "error")
    assert "RuntimeError: boom" in str(line["traceback"])
    assert events(caplog, "request")[0]["status"] == 500


def test_formatter_writes_events_as_json_objects() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, {"event": "startup"}, None, None)
    assert json.loads(JsonFormatter().format(record))["event"] == "startup"


def test_formatter_wraps_plain_messages() -> None:
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "hi %s", ("x",), None)
    line = json.loads(JsonFormatter().format(record))
    assert (line["event"], line["message"], line["logger"]) == ("log", "hi x", "uvicorn.error")
