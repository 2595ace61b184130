"""An app copy that tells the test every secret it was given and every token it issued, and a
grep over a run's outputs that relies on nothing of the harness's own redaction or scan."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import quote, urlsplit

from playwright.sync_api import sync_playwright

from tests.selftest import runner
from tests.support.procs import free_port

ORACLE_NAME = "secrets-seen.txt"
# The viewer is a web app loading the whole trace in a service worker: slow on a loaded machine.
VIEWER_TIMEOUT_MS = 90_000
JWT = re.compile(rb"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}")
_LOGIN_ANCHOR = (
    "    return TokenResponse(access_token=token, expires_in=settings.auth_token_ttl_s)\n"
)
_ORACLE_CODE = """    oracle = __import__("pathlib").Path(__file__).resolve().parents[2] / "{name}"
    with open(oracle, "a") as o:
        o.write(token + "\\n")
        o.write(settings.auth_secret.get_secret_value() + "\\n")
        o.write(settings.tradier_token.get_secret_value() + "\\n")
        for secret in settings.users.values():
            o.write(secret.get_secret_value() + "\\n")
        if settings.sentry_dsn is not None:
            o.write(settings.sentry_dsn.get_secret_value() + "\\n")
"""


def oracle_app(dest: Path) -> Path:
    """A copy of the app whose backend appends, at every sign-in, the token it issued and the
    secrets it was configured with to ``<dest>/secrets-seen.txt``."""
    runner.copy_app(dest)
    auth = dest / "backend" / "routers" / "auth.py"
    source = auth.read_text()
    assert _LOGIN_ANCHOR in source, "backend/routers/auth.py changed: update the oracle patch"
    auth.write_text(
        source.replace(_LOGIN_ANCHOR, _ORACLE_CODE.format(name=ORACLE_NAME) + _LOGIN_ANCHOR)
    )
    return dest


def seen_secrets(app_dir: Path) -> set[str]:
    """What the oracle app recorded; a Sentry DSN also gives its key."""
    found: set[str] = set()
    for line in (app_dir / ORACLE_NAME).read_text().splitlines():
        if not line:
            continue
        found.add(line)
        if "://" in line and urlsplit(line).username:
            found.add(str(urlsplit(line).username))
    return found


def issued_tokens(app_dir: Path) -> set[str]:
    return {s for s in seen_secrets(app_dir) if JWT.fullmatch(s.encode())}


def check_trace(path: Path) -> None:
    """A sound Playwright trace: the zip opens, holds the trace and network logs, and every one
    of their lines is JSON (what the trace viewer parses)."""
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None, f"{path}: a corrupt member"
        names = archive.namelist()
        assert "trace.trace" in names and "trace.network" in names, f"{path}: {names[:5]}"
        for name in names:
            if name.endswith((".trace", ".network", ".stacks")):
                for line in archive.read(name).splitlines():
                    if line.strip():
                        json.loads(line)


def open_in_trace_viewer(trace: Path, playwright_cli: Path, chromium: str) -> list[str]:
    """Serve ``trace`` with ``playwright show-trace`` on a free loopback port, open it in headless
    Chromium, and return the titles of the actions the viewer lists (it lists none, or shows
    "Could not load trace", when the trace is broken)."""
    port = free_port()
    viewer = subprocess.Popen(
        [str(playwright_cli), "show-trace", "--host", "127.0.0.1", "--port", str(port), str(trace)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert viewer.stdout is not None
        for line in viewer.stdout:  # the server says when it listens
            if "Listening on" in line:
                break
        else:
            raise AssertionError(f"show-trace exited with {viewer.wait()}")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium)
            try:
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{port}/")
                page.get_by_role("treeitem").first.wait_for(timeout=VIEWER_TIMEOUT_MS)
                assert page.get_by_text("Could not load").count() == 0
                return page.get_by_role("treeitem").all_inner_texts()
            finally:
                browser.close()
    finally:
        os.killpg(viewer.pid, signal.SIGTERM)
        viewer.wait(timeout=30)
        if viewer.stdout is not None:
            viewer.stdout.close()


def _forms(secret: str) -> set[bytes]:
    return {secret.encode(), quote(secret, safe="").encode()}


def grep_outputs(root: Path, secrets: set[str]) -> list[str]:
    """Every file (and zip member) under ``root`` that holds a secret or a JWT."""
    needles = {form for secret in secrets for form in _forms(secret)}
    hits = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        blobs = [(str(path), path.read_bytes())]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                blobs += [(f"{path}!{n}", archive.read(n)) for n in archive.namelist()]
        for where, data in blobs:
            if any(n in data for n in needles) or JWT.search(data):
                hits.append(where)
    return hits
