"""Fixtures for the stub tests: a real stub process per module, reset before every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.procs import RunningServer, free_port, run_server

TOKEN = "stub-test-token-7f3a"
AS_OF = "2026-11-20"  # a Friday, and the third Friday of November 2026


@pytest.fixture(scope="module")
def tradier_stub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The Tradier stub as a real process on a free port, as of ``AS_OF``."""
    port = free_port()
    log = Path(tmp_path_factory.mktemp("tradier")) / "tradier.log"
    env = {"TRADIER_TOKEN": TOKEN, "STUB_AS_OF": AS_OF, "QE_INSTANCE_ID": f"stub-{port}"}
    with run_server(
        ["-m", "stubs.tradier", "--port", str(port)],
        port=port,
        health_path="/__control/health",
        log_path=log,
        env=env,
    ) as server:
        yield server


@pytest.fixture
def control(tradier_stub: RunningServer) -> Iterator[httpx.Client]:
    """An unauthenticated client for the control API; the stub is reset before the test."""
    with httpx.Client(base_url=tradier_stub.url, timeout=5.0) as client:
        client.post("/__control/reset").raise_for_status()
        yield client


@pytest.fixture
def market(tradier_stub: RunningServer, control: httpx.Client) -> Iterator[httpx.Client]:
    """A client of the market-data endpoints carrying the right bearer token."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    with httpx.Client(base_url=tradier_stub.url, headers=headers, timeout=5.0) as client:
        yield client
