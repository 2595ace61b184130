"""The frontend server itself: command line, startup line, static UI and SPA routes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx

from tests.frontend.conftest import Stack
from tests.support.procs import REPO_ROOT


def test_no_backend_url_exits_2_with_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if k != "BACKEND_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "frontend", "--port", "1"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "BACKEND_URL" in done.stderr


def test_startup_line_names_pid_port_and_instance(stack: Stack) -> None:
    first = json.loads(stack.frontend.log().splitlines()[0])
    assert first["event"] == "startup"
    assert first["pid"] == stack.frontend.proc.pid
    assert first["port"] == stack.frontend.port
    assert first["instance_id"] == stack.frontend_instance_id


def test_root_redirects_to_spy(stack: Stack) -> None:
    answer = httpx.get(stack.frontend.url + "/")
    assert answer.status_code == 307
    assert answer.headers["location"] == "/options/SPY"


def test_spa_routes_serve_the_same_page(stack: Stack) -> None:
    signin = httpx.get(stack.frontend.url + "/signin", params={"next": "/options/AAPL"})
    options = httpx.get(stack.frontend.url + "/options/AAPL")
    assert signin.status_code == options.status_code == 200
    assert signin.text == options.text
    assert 'aria-label="Options chain"' in options.text


def test_static_assets_are_served_as_javascript(stack: Stack) -> None:
    answer = httpx.get(stack.frontend.url + "/static/app.js")
    assert answer.status_code == 200
    assert "javascript" in answer.headers["content-type"]


def test_page_references_no_external_url(stack: Stack) -> None:
    html = httpx.get(stack.frontend.url + "/options/SPY").text
    assert "http://" not in html
    assert "https://" not in html


def test_every_answer_carries_the_security_headers(stack: Stack) -> None:
    for path in ("/options/SPY", "/static/app.js", "/api/health", "/api/nowhere"):
        headers = httpx.get(stack.frontend.url + path).headers

        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert "default-src 'self'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["referrer-policy"] == "no-referrer", path
