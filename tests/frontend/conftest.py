"""The real stack for the frontend's tests: Tradier stub, backend and frontend on free ports."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.procs import RunningServer, free_port, run_server

USERNAME = "qe"


@dataclass(frozen=True)
class Stack:
    stub: RunningServer
    backend: RunningServer
    frontend: RunningServer
    password: str
    frontend_instance_id: str
    backend_instance_id: str

    def backend_request_lines(self) -> list[dict[str, object]]:
        """The backend's per-request log lines so far."""
        lines = []
        for raw in self.backend.log().splitlines():
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if isinstance(line, dict) and line.get("event") == "request":
                lines.append(line)
        return lines

    def token(self) -> str:
        answer = httpx.post(
            f"{self.backend.url}/api/auth/login",
            json={"username": USERNAME, "password": self.password},
        )
        answer.raise_for_status()
        return str(answer.json()["access_token"])


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Stub, backend and frontend really started, each on a free port; stopped afterwards."""
    logs: Path = tmp_path_factory.mktemp("frontend-stack")
    tradier_token = secrets.token_hex(16)
    password = secrets.token_hex(8)
    backend_id = f"be-{uuid.uuid4()}"
    frontend_id = f"fe-{uuid.uuid4()}"
    stub_port, backend_port, frontend_port = free_port(), free_port(), free_port()
    with (
        run_server(
            ["-m", "stubs.tradier", "--port", str(stub_port)],
            port=stub_port,
            health_path="/__control/health",
            log_path=logs / "stub.log",
            env={"TRADIER_TOKEN": tradier_token},
        ) as stub,
        run_server(
            ["-m", "backend", "--port", str(backend_port)],
            port=backend_port,
            health_path="/api/health",
            log_path=logs / "backend.log",
            env={
                "TRADIER_BASE_URL": stub.url,
                "TRADIER_TOKEN": tradier_token,
                "AUTH_SECRET": secrets.token_hex(32),
                "DESK_USERS": f"{USERNAME}:{password}",
                "QE_INSTANCE_ID": backend_id,
            },
        ) as backend,
        run_server(
            ["-m", "frontend", "--port", str(frontend_port), "--backend-url", backend.url],
            port=frontend_port,
            health_path="/healthz",
            log_path=logs / "frontend.log",
            env={"QE_INSTANCE_ID": frontend_id},
        ) as frontend,
    ):
        yield Stack(stub, backend, frontend, password, frontend_id, backend_id)
