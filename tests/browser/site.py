"""A tiny real web site for the browser layer's tests: pages plus the app's sign-in endpoint.

Runs ``http.server`` in a thread on a free loopback port. ``POST /api/auth/login`` answers like
the backend (CONTRACTS.md §3) for one user, so the sign-in fixtures talk to a real HTTP server.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN_TTL_S = 900

PAGES = {
    "/": "<!doctype html><title>local</title><h1>local site</h1>",
    "/errors": (
        "<!doctype html><title>errors</title><h1>errors</h1>"
        "<script>console.error('chain failed to load');"
        "console.log('just a log line');"
        "setTimeout(() => { throw new TypeError('boom in handler'); }, 0);</script>"
    ),
    "/fetches-missing": (
        "<!doctype html><title>fetch</title><h1>fetch</h1>"
        "<script>fetch('/api/missing').then(r => { document.title = 'fetched ' + r.status; });"
        "</script>"
    ),
}


@dataclass
class LocalSite:
    """The running site: its URL, its one user, and how many sign-ins it answered."""

    url: str
    username: str
    password: str = field(repr=False)
    logins: list[str] = field(default_factory=list)


def _handler(site: LocalSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # keep test output clean

        def _send(self, status: int, content_type: str, body: str) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            page = PAGES.get(self.path)
            if page is None:
                self._send(404, "text/plain", "not found")
            else:
                self._send(200, "text/html; charset=utf-8", page)

        def do_POST(self) -> None:
            if self.path != "/api/auth/login":
                self._send(404, "application/json", '{"detail": "Not Found"}')
                return
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            if body.get("username") != site.username or body.get("password") != site.password:
                self._send(401, "application/json", '{"detail": "Invalid credentials"}')
                return
            token = f"tok-{secrets.token_hex(8)}"
            site.logins.append(token)
            answer = {"access_token": token, "token_type": "bearer", "expires_in": TOKEN_TTL_S}
            self._send(200, "application/json", json.dumps(answer))

    return Handler


@contextmanager
def serve_local_site() -> Iterator[LocalSite]:
    """Serve the site on 127.0.0.1 (a free port) until the block ends."""
    site = LocalSite(url="", username="qe-user", password=secrets.token_urlsafe(12))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    site.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="local-site", daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
