"""Integration: ``python -m backend`` start-up failures, ``backend.prelaunch`` and log hygiene."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx

from tests.backend.conftest import (
    SECRETS,
    STUB_TOKEN,
    USERS,
    backend_env,
    clean_env,
    login,
)
from tests.support.procs import REPO_ROOT, RunningServer, free_port


def run_module(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_setting_exits_2_naming_it(stub: RunningServer) -> None:
    env = backend_env(stub.url)
    del env["TRADIER_TOKEN"]
    result = run_module("backend", "--port", str(free_port()), env=env)
    assert result.returncode == 2
    assert "TRADIER_TOKEN" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_short_auth_secret_exits_2_without_echo(stub: RunningServer) -> None:
    env = backend_env(stub.url, AUTH_SECRET="short-secret-value")
    result = run_module("backend", "--port", str(free_port()), env=env)
    assert result.returncode == 2
    assert "AUTH_SECRET" in result.stderr
    assert "short-secret-value" not in result.stderr + result.stdout


def test_bad_positions_file_exits_2(stub: RunningServer) -> None:
    env = backend_env(stub.url, DESK_POSITIONS_FILE="/nonexistent/positions.json")
    result = run_module("backend", "--port", str(free_port()), env=env)
    assert result.returncode == 2
    assert "DESK_POSITIONS_FILE" in result.stderr


def test_prelaunch_passes_on_a_healthy_setup(stub: RunningServer) -> None:
    result = run_module("backend.prelaunch", "--port", str(free_port()), env=backend_env(stub.url))
    assert result.returncode == 0, result.stdout
    assert all(line.startswith("ok   ") for line in result.stdout.splitlines()[:-1])


def test_prelaunch_names_the_holder_of_a_busy_port(stub: RunningServer) -> None:
    env = backend_env(stub.url)
    result = run_module("backend.prelaunch", "--port", str(stub.port), env=env)
    assert result.returncode == 1
    (port_line,) = [line for line in result.stdout.splitlines() if " port: " in line]
    assert port_line.startswith("FAIL")
    assert f"pid {stub.proc.pid}" in port_line
    assert "stubs.tradier" in port_line


def test_prelaunch_fails_on_a_rejected_token(stub: RunningServer) -> None:
    env = backend_env(stub.url, TRADIER_TOKEN="not-the-stub-token")
    result = run_module("backend.prelaunch", "--port", str(free_port()), env=env)
    assert result.returncode == 1
    assert "FAIL upstream:" in result.stdout
    assert "not-the-stub-token" not in result.stdout


def test_prelaunch_fails_on_an_unreachable_upstream() -> None:
    env = backend_env(f"http://127.0.0.1:{free_port()}")
    result = run_module("backend.prelaunch", "--port", str(free_port()), env=env)
    assert result.returncode == 1
    assert "FAIL upstream:" in result.stdout


def test_prelaunch_names_missing_settings() -> None:
    result = run_module("backend.prelaunch", "--port", str(free_port()), env=clean_env())
    assert result.returncode == 1
    assert "FAIL settings:" in result.stdout
    assert "DESK_USERS" in result.stdout


def test_prelaunch_strict_requires_sentry_dsn(stub: RunningServer) -> None:
    env = backend_env(stub.url)
    result = run_module("backend.prelaunch", "--strict", "--port", str(free_port()), env=env)
    assert result.returncode == 1
    assert "FAIL sentry: SENTRY_DSN" in result.stdout


def test_prelaunch_strict_passes_with_sentry_dsn(stub: RunningServer) -> None:
    env = backend_env(stub.url, SENTRY_DSN="http://public@127.0.0.1:9/1")
    result = run_module("backend.prelaunch", "--strict", "--port", str(free_port()), env=env)
    assert result.returncode == 0, result.stdout
    assert "ok   sentry:" in result.stdout


def test_no_secret_reaches_the_log(backend: RunningServer, api: httpx.Client) -> None:
    token = login(api)
    api.post("/api/auth/login", json={"username": "qe", "password": USERS["trader"]})
    headers = {"Authorization": f"Bearer {token}"}
    api.get("/api/options/chain/SPY", headers=headers)
    api.get("/api/positions", headers=headers)
    api.get("/api/options/chain/ZZZZ", headers={"Authorization": f"Bearer {token}x"})
    api.get("/api/end-of-secret-test", params={"token": "marker-end"})
    deadline = time.monotonic() + 5
    while "/api/end-of-secret-test" not in backend.log() and time.monotonic() < deadline:
        time.sleep(0.02)  # polling a condition with a deadline
    log = backend.log()
    assert "/api/end-of-secret-test" in log
    assert token not in log
    assert "marker-end" not in log
    assert all(secret not in log for secret in (*SECRETS, STUB_TOKEN))
