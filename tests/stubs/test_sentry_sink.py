"""The Sentry sink: envelope parsing (unit) and the real process fed by the real sentry-sdk."""

from __future__ import annotations

import concurrent.futures
import gzip
import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from stubs.sentry_sink import EnvelopeError, parse_envelope
from tests.support.procs import REPO_ROOT, RunningServer, free_port, run_server

ENVELOPE = "/api/42/envelope/"


def _envelope(*items: tuple[dict[str, Any], bytes], header: dict[str, Any] | None = None) -> bytes:
    parts = [json.dumps(header or {"event_id": "abc123"}).encode()]
    for item_header, payload in items:
        parts += [json.dumps(item_header).encode(), payload]
    return b"\n".join(parts) + b"\n"


# --- parsing ---------------------------------------------------------------------------------


def test_parse_reads_length_prefixed_payloads_containing_newlines() -> None:
    payload = b'{"message": "a\\nb"}\n{"x": 1}'
    header, items = parse_envelope(
        _envelope(({"type": "attachment", "length": len(payload)}, payload))
    )
    assert header == {"event_id": "abc123"}
    assert items[0]["payload"] == payload.decode()


def test_parse_reads_newline_delimited_items() -> None:
    _, items = parse_envelope(
        _envelope(({"type": "event"}, b'{"level": "error"}'), ({"type": "session"}, b'{"s": 1}'))
    )
    assert [(i["type"], i["payload"]) for i in items] == [
        ("event", {"level": "error"}),
        ("session", {"s": 1}),
    ]


def test_parse_rejects_a_non_json_header() -> None:
    with pytest.raises(EnvelopeError):
        parse_envelope(b"not json\n{}\n{}")


def test_parse_rejects_a_payload_shorter_than_its_length() -> None:
    with pytest.raises(EnvelopeError):
        parse_envelope(b'{}\n{"type": "event", "length": 99}\n{}')


# --- the real process ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The Sentry sink as a real process on a free port."""
    port = free_port()
    log = Path(tmp_path_factory.mktemp("sentry")) / "sentry_sink.log"
    with run_server(
        ["-m", "stubs.sentry_sink", "--port", str(port)],
        port=port,
        health_path="/__control/health",
        log_path=log,
        env={"QE_INSTANCE_ID": f"sink-{port}"},
    ) as server:
        yield server


@pytest.fixture
def client(sink: RunningServer) -> Iterator[httpx.Client]:
    """A client of the sink, which is emptied before the test."""
    with httpx.Client(base_url=sink.url, timeout=5.0) as c:
        c.post("/__control/reset").raise_for_status()
        yield c


def _events(client: httpx.Client) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = client.get("/__control/events").json()["events"]
    return events


def test_health_echoes_the_instance_id(sink: RunningServer, client: httpx.Client) -> None:
    body = client.get("/__control/health").json()
    assert body == {"status": "ok", "instance_id": f"sink-{sink.port}", "pid": sink.proc.pid}


def test_a_plain_envelope_is_stored(client: httpx.Client) -> None:
    response = client.post(ENVELOPE, content=_envelope(({"type": "event"}, b'{"message": "hi"}')))
    assert response.status_code == 200
    [event] = _events(client)
    assert event["project_id"] == "42"
    assert event["headers"] == {"event_id": "abc123"}
    assert event["items"][0]["type"] == "event"
    assert event["items"][0]["payload"] == {"message": "hi"}


def test_a_gzip_envelope_is_stored(client: httpx.Client) -> None:
    body = gzip.compress(_envelope(({"type": "event"}, b'{"message": "zipped"}')))
    response = client.post(ENVELOPE, content=body, headers={"Content-Encoding": "gzip"})
    assert response.status_code == 200
    [event] = _events(client)
    assert event["content_encoding"] == "gzip"
    assert event["items"][0]["payload"] == {"message": "zipped"}


def test_an_unknown_encoding_is_refused_with_415(client: httpx.Client) -> None:
    response = client.post(ENVELOPE, content=b"x", headers={"Content-Encoding": "zstd"})
    assert response.status_code == 415
    assert _events(client) == []


def test_a_broken_envelope_is_refused_with_400(client: httpx.Client) -> None:
    assert client.post(ENVELOPE, content=b"{not json\n").status_code == 400


def test_reset_forgets_every_event(client: httpx.Client) -> None:
    client.post(ENVELOPE, content=_envelope(({"type": "event"}, b"{}")))
    client.post("/__control/reset")
    assert _events(client) == []


SDK_SCRIPT = textwrap.dedent(
    """
    import sys
    import sentry_sdk

    sentry_sdk.init(dsn=sys.argv[1], default_integrations=False)
    try:
        raise ValueError("boom from the sink test")
    except ValueError as exc:
        sentry_sdk.capture_exception(exc)
    sentry_sdk.flush(timeout=10)
    """
)


def test_the_real_sentry_sdk_delivers_an_exception_event(
    sink: RunningServer, client: httpx.Client
) -> None:
    dsn = f"http://publickey@127.0.0.1:{sink.port}/42"
    # A separate process: sentry_sdk.init is global state this test session must not inherit.
    result = subprocess.run(
        [sys.executable, "-c", SDK_SCRIPT, dsn],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr

    deadline = time.monotonic() + 10
    while not _events(client) and time.monotonic() < deadline:
        time.sleep(0.02)  # poll interval; flush() has normally delivered already
    [event] = _events(client)
    assert (event["project_id"], event["content_encoding"]) == ("42", "gzip")
    item = next(i for i in event["items"] if i["type"] == "event")
    [exception] = item["payload"]["exception"]["values"]
    assert (exception["type"], exception["value"]) == ("ValueError", "boom from the sink test")
    assert event["headers"]["event_id"] == item["payload"]["event_id"]


def test_waiting_for_events_returns_when_one_arrives(
    sink: RunningServer, client: httpx.Client
) -> None:
    envelope = _envelope(({"type": "event"}, json.dumps({"message": "late"}).encode()))
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        waiting = pool.submit(
            httpx.get, sink.url + "/__control/events", params={"wait_s": 20}, timeout=30
        )
        client.post("/api/42/envelope/", content=envelope).raise_for_status()
        answer = waiting.result(timeout=30)

    assert answer.status_code == 200
    assert "late" in json.dumps(answer.json()["events"])


def test_waiting_with_no_event_answers_empty_after_the_wait(client: httpx.Client) -> None:
    answer = client.get("/__control/events", params={"wait_s": 0.2})

    assert answer.json() == {"events": []}


def test_a_wait_that_is_not_a_number_is_422(client: httpx.Client) -> None:
    assert client.get("/__control/events", params={"wait_s": "soon"}).status_code == 422
