"""API-08's whole-run audit: no secret in any URL or log line of the run, not only in one slice.

Sources, gathered as the run goes and judged at its end (acceptance/conftest.py):
- every line of every server log of the run (whole files, every server);
- every request any browser context of the run made (fetch, stream, navigations, assets), full URL;
- every request the stub received from the backend, with its query string (the stub's request
  log, read before each reset and once more before the stub stops); server logs hold paths only.

A finding is a registered secret (raw or URL-encoded), a JWT, or a query parameter named like a
credential. Findings name the place, never the value. A request the suite sent with a credential in
its URL on purpose (to prove the app refuses it) is the suite's doing: the server-log line that
records exactly that request target is not held against the app (``deliberate``), any other secret
on the line still is. Logs are read once the last test is done (``freeze_logs``), while the
servers still run: the harness redacts them after it stops the servers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from reports.leaks import needles

JWT = re.compile(rb"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+")
CREDENTIAL_PARAM = re.compile(
    r"^(access_?token|token|auth|authorization|bearer|password|passwd|secret|api_?key|jwt)$",
    re.IGNORECASE,
)
MAX_FINDINGS = 20


def _what(data: bytes, patterns: list[bytes]) -> str | None:
    if any(p in data for p in patterns):
        return "a registered secret"
    if JWT.search(data):
        return "a bearer token (JWT)"
    return None


def _credential_params(query: Iterable[str]) -> list[str]:
    return sorted({name for name in query if CREDENTIAL_PARAM.match(name)})


@dataclass
class RunAudit:
    """What the run sent and logged, for API-08's end-of-run audit."""

    log_files: set[Path] = field(default_factory=set)
    browser_requests: list[tuple[str, str]] = field(default_factory=list)  # (test, url)
    upstream_requests: list[dict[str, Any]] = field(default_factory=list)
    # Raw request targets (path and query) the suite sent with a credential in the URL on purpose.
    deliberate: set[bytes] = field(default_factory=set)
    frozen_logs: dict[Path, bytes] = field(default_factory=dict)

    def freeze_logs(self) -> None:
        """Read every log now; the audit judges these contents, whatever happens to the files."""
        for path in self.log_files:
            try:
                self.frozen_logs[path] = path.read_bytes()
            except OSError:
                continue

    @property
    def used(self) -> bool:
        return bool(self.log_files or self.browser_requests or self.upstream_requests)

    def summary(self) -> str:
        lines = sum(_line_count(path) for path in self.log_files)
        return (
            f"{lines} log line(s) in {len(self.log_files)} server log(s), "
            f"{len(self.browser_requests)} browser request(s), "
            f"{len(self.upstream_requests)} upstream request(s)"
        )

    def findings(self, secrets: Iterable[str]) -> list[str]:
        """Every place a secret shows, as ``where: what``; empty when the run is clean."""
        patterns = needles(secrets)
        found: list[str] = []
        for path in sorted(self.log_files):
            found += _log_findings(path, patterns, self.frozen_logs.get(path), self.deliberate)
        for test, url in self.browser_requests:
            what = _what(url.encode(), patterns)
            params = _credential_params(name for name, _ in parse_qsl(urlsplit(url).query))
            if what or params:
                where = f"browser request {urlsplit(url).path} in {test}"
                found.append(f"{where}: {what or 'credential parameter ' + ', '.join(params)}")
        for entry in self.upstream_requests:
            query = entry.get("query") or {}
            what = _what(repr(query).encode(), patterns)
            params = _credential_params(query)
            if what or params:
                where = f"upstream request {entry.get('path')}"
                found.append(f"{where}: {what or 'credential parameter ' + ', '.join(params)}")
        return found


def _line_count(path: Path) -> int:
    try:
        with path.open("rb") as log:
            return sum(1 for _ in log)
    except OSError:
        return 0


def _log_findings(
    path: Path, patterns: list[bytes], data: bytes | None, deliberate: set[bytes]
) -> list[str]:
    found = []
    try:
        lines = (path.read_bytes() if data is None else data).splitlines()
    except OSError as exc:
        return [f"{path.name}: unreadable ({exc.strerror})"]
    for number, line in enumerate(lines, 1):
        for target in deliberate:
            line = line.replace(target, b"")
        what = _what(line, patterns)
        if what is None:
            params = re.findall(rb"[?&]([A-Za-z_]+)=", line)
            names = _credential_params(p.decode() for p in params)
            what = f"credential parameter {', '.join(names)} in a URL" if names else None
        if what:
            found.append(f"{path.name} line {number}: {what}")
    return found


def verdict(findings: list[str]) -> str:
    shown = findings[:MAX_FINDINGS]
    more = len(findings) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more else "")
