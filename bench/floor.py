"""The floor: what the same machine needs at least for the parts a run is made of.

Four bare measurements, each without the harness: the Python imports of a server, a uvicorn cold
start of a tiny app to its first 200 on /health, a Chromium launch+close through Playwright (the
binary the harness itself would pick), and new_context+new_page+goto of a local page.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from fixtures.browser_choice import HOST_RESOLVER_RULE, find_system_chromium

REPO_ROOT = Path(__file__).resolve().parents[1]
POLL_S = 0.02  # the harness's own readiness poll interval (fixtures/servers.py READY_POLL_S)
START_TIMEOUT_S = 30.0
PAGE = b"<!doctype html><title>floor</title><h1>floor</h1>"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def import_time() -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import fastapi, uvicorn"], check=True)
    return time.perf_counter() - began


def uvicorn_cold_start() -> float:
    """Spawn to the first 200 from /health of bench/floor_app.py, polled like the harness does."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "bench.floor_app:app", "--port", str(port)]
    began = time.perf_counter()
    proc = subprocess.Popen(
        [*command, "--log-level", "warning"],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(timeout=1.0, trust_env=False) as client:
            while time.perf_counter() - began < START_TIMEOUT_S:
                if proc.poll() is not None:
                    raise RuntimeError(f"floor uvicorn exited with code {proc.returncode}")
                with contextlib.suppress(httpx.TransportError):
                    if client.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                        return time.perf_counter() - began
                time.sleep(POLL_S)  # polling a condition with a deadline
        raise RuntimeError(f"floor uvicorn not ready within {START_TIMEOUT_S}s")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        with contextlib.suppress(ConnectionError):  # the browser may hang up early (favicon)
            self.wfile.write(PAGE)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def local_page() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def browser_floor(executable: str | None = None) -> dict[str, float]:
    """Chromium launch+close, and new_context+new_page+goto of a local page (one more launch)."""
    chromium = executable or find_system_chromium()
    launch_args = {"executable_path": chromium} if chromium else {}
    with sync_playwright() as playwright, local_page() as url:
        began = time.perf_counter()
        browser = playwright.chromium.launch(args=[HOST_RESOLVER_RULE], **launch_args)
        browser.close()
        launch_close = time.perf_counter() - began
        browser = playwright.chromium.launch(args=[HOST_RESOLVER_RULE], **launch_args)
        try:
            began = time.perf_counter()
            context = browser.new_context()
            page = context.new_page()
            page.goto(url)
            goto = time.perf_counter() - began
            context.close()
        finally:
            browser.close()
    return {"chromium_launch_close_s": launch_close, "context_page_goto_s": goto}


def measure(executable: str | None = None) -> dict[str, float]:
    """One measurement of every floor part (seconds)."""
    return {
        "import_s": import_time(),
        "uvicorn_cold_start_s": uvicorn_cold_start(),
        **browser_floor(executable),
    }
