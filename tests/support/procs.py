"""Start small real servers for the project's own tests, and always take them down again.

Not the harness's process layer (that is ``fixtures/``): this is the minimum a unit or integration
test needs to run one of the bundled servers on a free port and talk to it over HTTP.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class RunningServer:
    proc: subprocess.Popen[bytes]
    port: int
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


class ServerStartError(RuntimeError):
    pass


@contextlib.contextmanager
def run_server(
    args: Sequence[str],
    *,
    port: int,
    health_path: str,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 15.0,
    launcher: Sequence[str] = (sys.executable,),
) -> Iterator[RunningServer]:
    """Run ``python <args>`` (or ``<launcher> <args>``, e.g. ``bash -c``) from the repo root until
    the block ends; ready = health answers 200."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*launcher, *args],
            cwd=REPO_ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = RunningServer(proc, port, f"http://127.0.0.1:{port}", log_path)
    try:
        _wait_ready(server, health_path, timeout)
        yield server
    finally:
        _stop(proc)


def _wait_ready(server: RunningServer, health_path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=1.0) as client:
        while time.monotonic() < deadline:
            code = server.proc.poll()
            if code is not None:
                raise ServerStartError(f"server exited with code {code}:\n{server.log()[-2000:]}")
            with contextlib.suppress(httpx.TransportError):
                if client.get(server.url + health_path).status_code == 200:
                    return
            time.sleep(0.02)  # poll interval while waiting on a condition, not a fixed wait
    raise ServerStartError(f"server not ready after {timeout}s:\n{server.log()[-2000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def run_doubles(
    log_dir: Path, tradier_token: str
) -> contextlib.AbstractContextManager[tuple[RunningServer, RunningServer]]:
    """The Tradier stub (accepting ``tradier_token``) and the Sentry sink, on free ports."""

    @contextlib.contextmanager
    def both() -> Iterator[tuple[RunningServer, RunningServer]]:
        stub_port, sink_port = free_port(), free_port()
        with (
            run_server(
                ["-m", "stubs.tradier", "--port", str(stub_port)],
                port=stub_port,
                health_path="/__control/health",
                log_path=log_dir / "stub.log",
                env={"TRADIER_TOKEN": tradier_token},
            ) as stub,
            run_server(
                ["-m", "stubs.sentry_sink", "--port", str(sink_port)],
                port=sink_port,
                health_path="/__control/health",
                log_path=log_dir / "sentry.log",
            ) as sink,
        ):
            yield stub, sink

    return both()
