"""Integration: the positions Server-Sent Events stream, driven by quote moves in the real stub."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.backend.conftest import stub_control
from tests.support.procs import RunningServer


@dataclass
class SseMessage:
    event: str | None = None
    data: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads("\n".join(self.data))


def messages(response: httpx.Response) -> Iterator[SseMessage]:
    """SSE messages as they arrive; a comment-only block (heartbeat) is a message too."""
    current = SseMessage()
    for line in response.iter_lines():
        if line == "":
            if current.event or current.data or current.comments:
                yield current
            current = SseMessage()
        elif line.startswith(":"):
            current.comments.append(line[1:].strip())
        elif line.startswith("event:"):
            current.event = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            current.data.append(line.removeprefix("data:").removeprefix(" "))


def next_positions(stream: Iterator[SseMessage]) -> dict[str, Any]:
    for message in stream:
        if message.event == "positions":
            return message.json()  # type: ignore[no-any-return]
    raise AssertionError("stream ended without a positions event")


# A read timeout bounds every wait on the stream, so a missing event fails instead of hanging.
STREAM_TIMEOUT = httpx.Timeout(10.0, read=6.0)


def test_stream_without_token_is_401(api: httpx.Client) -> None:
    response = api.get("/api/positions/stream")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_stream_sends_positions_at_connect(authed: httpx.Client) -> None:
    with authed.stream("GET", "/api/positions/stream", timeout=STREAM_TIMEOUT) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        first = next_positions(messages(response))
    assert first["positions"]
    assert first["as_of"]
    assert {"symbol", "mark", "pnl"} <= set(first["positions"][0])


def test_quote_move_produces_a_new_mark(authed: httpx.Client, reset_stub: RunningServer) -> None:
    with authed.stream("GET", "/api/positions/stream", timeout=STREAM_TIMEOUT) as response:
        stream = messages(response)
        before = next_positions(stream)
        stub_control(reset_stub, "/__control/quote", {"symbol": "SPY", "move": 7.5})
        after = next_positions(stream)
    marks_before = {p["symbol"]: p["mark"] for p in before["positions"]}
    marks_after = {p["symbol"]: p["mark"] for p in after["positions"]}
    spy = [s for s in marks_before if s.startswith("SPY")]
    assert any(marks_after[s] != marks_before[s] for s in spy)


def test_stream_sends_comment_heartbeats(authed: httpx.Client) -> None:
    with authed.stream("GET", "/api/positions/stream", timeout=STREAM_TIMEOUT) as response:
        heartbeat = next(m for m in messages(response) if m.comments and m.event is None)
    assert heartbeat.comments


def test_stream_survives_an_upstream_blip(authed: httpx.Client, reset_stub: RunningServer) -> None:
    with authed.stream("GET", "/api/positions/stream", timeout=STREAM_TIMEOUT) as response:
        stream = messages(response)
        before = next_positions(stream)
        stub_control(reset_stub, "/__control/fault", {"status": 500, "times": 2})
        stub_control(reset_stub, "/__control/quote", {"symbol": "SPY", "move": -6.0})
        after = next_positions(stream)
    assert after["positions"] != before["positions"]


def test_stream_at_connect_with_upstream_down_is_502(
    authed: httpx.Client, reset_stub: RunningServer
) -> None:
    stub_control(reset_stub, "/__control/fault", {"status": 500, "times": -1})
    response = authed.get("/api/positions/stream")
    assert response.status_code == 502
    assert response.json()["code"] == "upstream_error"
