"""Integration: an unexpected exception in the backend reaches a real Sentry envelope sink."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.backend.conftest import SECRETS, StartBackend, clean_env, login, stub_control
from tests.support.procs import RunningServer, free_port, run_server


@pytest.fixture(scope="module")
def sentry_sink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    port = free_port()
    with run_server(
        ["-m", "stubs.sentry_sink", "--port", str(port)],
        port=port,
        health_path="/__control/health",
        log_path=tmp_path_factory.mktemp("logs") / "sentry_sink.log",
        env=clean_env(),
    ) as server:
        yield server


@pytest.fixture(scope="module")
def sentry_backend(
    start_backend: StartBackend, sentry_sink: RunningServer
) -> Iterator[RunningServer]:
    dsn = f"http://publickey@127.0.0.1:{sentry_sink.port}/42"
    with start_backend(SENTRY_DSN=dsn, DESK_ENABLE_TEST_ROUTES="1") as server:
        yield server


def error_events(sink: RunningServer) -> list[dict[str, Any]]:
    events = httpx.get(sink.url + "/__control/events").json()["events"]
    return [
        item["payload"]
        for envelope in events
        for item in envelope["items"]
        if item["type"] == "event" and isinstance(item["payload"], dict)
    ]


def wait_for_error_event(sink: RunningServer, timeout: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e for e in error_events(sink) if "DeliberateFailure" in json.dumps(e)]
        if found:
            return found[0]
        time.sleep(0.05)  # polling a condition with a deadline
    raise AssertionError("no DeliberateFailure event reached the sink")


def test_unexpected_exception_is_json_500(sentry_backend: RunningServer) -> None:
    response = httpx.get(sentry_backend.url + "/api/__test/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal server error", "code": "internal_error"}


def test_unexpected_exception_logs_a_traceback(sentry_backend: RunningServer) -> None:
    httpx.get(sentry_backend.url + "/api/__test/boom")
    deadline = time.monotonic() + 5
    while '"event": "error"' not in sentry_backend.log() and time.monotonic() < deadline:
        time.sleep(0.02)  # polling a condition with a deadline
    errors = [
        json.loads(line)
        for line in sentry_backend.log().splitlines()
        if line.startswith('{"event": "error"')
    ]
    assert errors
    assert "DeliberateFailure" in errors[0]["traceback"]


def test_unexpected_exception_reaches_sentry(
    sentry_backend: RunningServer, sentry_sink: RunningServer
) -> None:
    httpx.post(sentry_sink.url + "/__control/reset").raise_for_status()
    httpx.get(sentry_backend.url + "/api/__test/boom")
    event = wait_for_error_event(sentry_sink)
    assert event["exception"]["values"][-1]["type"] == "DeliberateFailure"


def test_sentry_event_carries_no_token(
    sentry_backend: RunningServer, sentry_sink: RunningServer
) -> None:
    httpx.post(sentry_sink.url + "/__control/reset").raise_for_status()
    with httpx.Client(base_url=sentry_backend.url) as client:
        token = login(client)
        client.get("/api/__test/boom", headers={"Authorization": f"Bearer {token}"})
    event = wait_for_error_event(sentry_sink)
    assert token not in json.dumps(event)


def test_an_upstream_outage_reaches_sentry_without_secrets(
    sentry_backend: RunningServer, sentry_sink: RunningServer, reset_stub: RunningServer
) -> None:
    httpx.post(sentry_sink.url + "/__control/reset").raise_for_status()
    stub_control(reset_stub, "/__control/fault", {"status": 500, "times": 1})
    with httpx.Client(base_url=sentry_backend.url) as client:
        token = login(client)
        answer = client.get("/api/options/chain/SPY", headers={"Authorization": f"Bearer {token}"})

    assert answer.status_code == 502
    deadline = time.monotonic() + 10
    while not (events := error_events(sentry_sink)) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling a condition with a deadline
    assert events, "the upstream outage was not reported to Sentry"
    text = json.dumps(events)
    for secret in (token, *SECRETS):
        assert secret not in text
