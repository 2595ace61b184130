"""Fixtures for the backend's integration tests: the real stub and backend as processes."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.support.procs import RunningServer, free_port, run_server

STUB_TOKEN = "stub-token-7f3a9c2e51"
AUTH_SECRET = "backend-auth-secret-0123456789abcdef"
USERS = {"qe": "qe-password-41x", "trader": "trader-password-97y"}
SECRETS = (STUB_TOKEN, AUTH_SECRET, *USERS.values())

# Settings the backend reads; stripped from the inherited environment so tests control them.
BACKEND_KEYS = (
    "TRADIER_BASE_URL",
    "TRADIER_TOKEN",
    "AUTH_SECRET",
    "DESK_USERS",
    "SENTRY_DSN",
    "QE_INSTANCE_ID",
    "DESK_POSITIONS_FILE",
    "AUTH_TOKEN_TTL_S",
    "UPSTREAM_TIMEOUT_S",
    "STREAM_INTERVAL_S",
    "DESK_ENABLE_TEST_ROUTES",
)

StartBackend = Callable[..., contextlib.AbstractContextManager[RunningServer]]


def clean_env(**overrides: str) -> dict[str, str]:
    """The inherited environment without backend settings, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if k not in BACKEND_KEYS}
    return {**env, "PYTHONUNBUFFERED": "1", **overrides}


def backend_env(stub_url: str, **overrides: str) -> dict[str, str]:
    defaults = {
        "TRADIER_BASE_URL": stub_url,
        "TRADIER_TOKEN": STUB_TOKEN,
        "AUTH_SECRET": AUTH_SECRET,
        "DESK_USERS": ",".join(f"{u}:{p}" for u, p in USERS.items()),
        "UPSTREAM_TIMEOUT_S": "0.5",
        "STREAM_INTERVAL_S": "0.1",
    }
    return clean_env(**{**defaults, **overrides})


@pytest.fixture(scope="module")
def stub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The Tradier stub, one per test module."""
    port = free_port()
    log = tmp_path_factory.mktemp("logs") / "stub.log"
    with run_server(
        ["-m", "stubs.tradier", "--port", str(port)],
        port=port,
        health_path="/__control/health",
        log_path=log,
        env=clean_env(TRADIER_TOKEN=STUB_TOKEN),
    ) as server:
        yield server


@pytest.fixture
def reset_stub(stub: RunningServer) -> Iterator[RunningServer]:
    """The stub with no faults or quote moves before and after the test."""
    httpx.post(stub.url + "/__control/reset").raise_for_status()
    yield stub
    httpx.post(stub.url + "/__control/reset").raise_for_status()


@pytest.fixture(scope="module")
def start_backend(stub: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> StartBackend:
    """Factory: ``with start_backend(SETTING=value, ...) as server:`` runs a backend on the stub."""

    @contextlib.contextmanager
    def start(**overrides: str) -> Iterator[RunningServer]:
        port = free_port()
        log = tmp_path_factory.mktemp("logs") / "backend.log"
        with run_server(
            ["-m", "backend", "--port", str(port)],
            port=port,
            health_path="/api/health",
            log_path=log,
            env=backend_env(stub.url, **overrides),
        ) as server:
            yield server

    return start


@pytest.fixture(scope="module")
def backend(start_backend: StartBackend) -> Iterator[RunningServer]:
    """The backend with test settings (short upstream timeout, fast stream), one per module."""
    with start_backend(QE_INSTANCE_ID="qe-backend-it") as server:
        yield server


@pytest.fixture
def api(backend: RunningServer, reset_stub: RunningServer) -> Iterator[httpx.Client]:
    """An unauthenticated client of the backend, on a freshly reset stub."""
    with httpx.Client(base_url=backend.url, timeout=10.0) as client:
        yield client


def login(client: httpx.Client, username: str = "qe") -> str:
    response = client.post(
        "/api/auth/login", json={"username": username, "password": USERS[username]}
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


@pytest.fixture
def authed(api: httpx.Client) -> httpx.Client:
    """The same client, signed in as ``qe``."""
    api.headers["Authorization"] = f"Bearer {login(api)}"
    return api


def stub_control(stub: RunningServer, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(stub.url + path, json=body)
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]
