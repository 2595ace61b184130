"""Start remote browsers on loopback for the tests: a Playwright browser server and a CDP Chromium.

Both are real processes started the way a grid or a CI service would start them, on free ports,
and always stopped again together with every process they spawned.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import playwright
import psutil

from fixtures.browser_choice import HOST_RESOLVER_RULE
from tests.support.procs import free_port

DRIVER = Path(playwright.__file__).parent / "driver"
NODE = DRIVER / "node"
CLI = DRIVER / "package" / "cli.js"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


class RemoteBrowserError(RuntimeError):
    pass


def _stop_tree(proc: subprocess.Popen[str]) -> None:
    """SIGTERM the group, then make sure every descendant is gone (browsers may detach)."""
    try:
        family = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    _, alive = psutil.wait_procs(family, timeout=STOP_TIMEOUT_S)
    for leftover in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            leftover.kill()
    psutil.wait_procs(alive, timeout=STOP_TIMEOUT_S)
    proc.wait(timeout=STOP_TIMEOUT_S)
    if proc.stdout is not None:
        proc.stdout.close()


def _first_line(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    stdout = proc.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        raise RemoteBrowserError(f"no endpoint printed within {timeout}s") from None


@contextlib.contextmanager
def playwright_browser_server(chromium: str, work_dir: Path) -> Iterator[str]:
    """Playwright's ``launch-server`` (the Node driver bundled with the Python package) on
    127.0.0.1, driving ``chromium``; yields its ``ws://`` endpoint."""
    config = {
        "executablePath": chromium,
        "host": "127.0.0.1",
        "port": free_port(),
        "wsPath": f"/qe-{secrets.token_hex(8)}",
        "headless": True,
        # The server's launch options are fixed here; clients' launch options do not apply.
        "args": [HOST_RESOLVER_RULE],
    }
    config_path = work_dir / "launch-server.json"
    config_path.write_text(json.dumps(config))
    proc = subprocess.Popen(
        [
            str(NODE),
            str(CLI),
            "launch-server",
            "--browser",
            "chromium",
            "--config",
            str(config_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        endpoint = _first_line(proc, START_TIMEOUT_S).strip()
        if not endpoint.startswith("ws://"):
            raise RemoteBrowserError(f"launch-server printed {endpoint!r}, not an endpoint")
        yield endpoint
    finally:
        _stop_tree(proc)


@contextlib.contextmanager
def cdp_chromium(chromium: str, work_dir: Path) -> Iterator[str]:
    """A headless Chromium with its DevTools protocol on 127.0.0.1; yields the http endpoint."""
    port = free_port()
    proc = subprocess.Popen(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--no-first-run",
            f"--remote-debugging-port={port}",
            "--remote-debugging-address=127.0.0.1",
            f"--user-data-dir={work_dir / 'cdp-profile'}",
            HOST_RESOLVER_RULE,
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_for_devtools(proc, endpoint)
        yield endpoint
    finally:
        _stop_tree(proc)


def _wait_for_devtools(proc: subprocess.Popen[str], endpoint: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    with httpx.Client(timeout=1.0) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RemoteBrowserError(f"chromium exited with code {proc.returncode}")
            with contextlib.suppress(httpx.TransportError):
                if client.get(endpoint + "/json/version").status_code == 200:
                    return
            time.sleep(0.05)  # poll interval while waiting on a condition, not a fixed wait
    raise RemoteBrowserError(f"no DevTools endpoint at {endpoint} within {START_TIMEOUT_S}s")
