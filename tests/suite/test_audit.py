"""API-08's whole-run audit (acceptance/audit.py): what counts as a secret in a URL or a log."""

from __future__ import annotations

import json
from pathlib import Path

from acceptance.audit import RunAudit, verdict

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJxZS11c2VyIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
PASSWORD = "pw-7c1e9a33"


def _log(tmp_path: Path, *records: dict) -> Path:
    path = tmp_path / "backend.log"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_a_clean_run_has_no_findings(tmp_path: Path) -> None:
    audit = RunAudit(
        log_files={_log(tmp_path, {"event": "request", "path": "/api/positions"})},
        browser_requests=[("t", "http://127.0.0.1:1/api/options/chain/SPY?expiration=2026-12-04")],
        upstream_requests=[{"path": "/v1/markets/quotes", "query": {"symbols": "SPY"}}],
    )

    assert audit.findings({PASSWORD}) == []
    assert "1 log line(s) in 1 server log(s), 1 browser request(s)" in audit.summary()


def test_a_token_in_any_log_line_is_found_by_line_not_value(tmp_path: Path) -> None:
    log = _log(tmp_path, {"event": "startup"}, {"event": "login", "token": JWT})

    findings = RunAudit(log_files={log}).findings(set())

    assert findings == ["backend.log line 2: a bearer token (JWT)"]
    assert JWT not in verdict(findings)


def test_a_registered_secret_in_a_browser_url_is_found_url_encoded_too() -> None:
    url = "http://127.0.0.1:1/signin?next=%2Foptions%2FSPY&x=pw-7c1e9a33"
    audit = RunAudit(browser_requests=[("test_x", url)])

    assert audit.findings({PASSWORD}) == ["browser request /signin in test_x: a registered secret"]


def test_a_credential_parameter_is_found_whatever_its_value() -> None:
    audit = RunAudit(
        browser_requests=[("t", "http://127.0.0.1:1/api/positions/stream?access_token=x")],
        upstream_requests=[
            {"path": "/v1/markets/quotes", "query": {"symbols": "SPY", "token": "t"}}
        ],
    )

    assert audit.findings(set()) == [
        "browser request /api/positions/stream in t: credential parameter access_token",
        "upstream request /v1/markets/quotes: credential parameter token",
    ]


def test_the_line_of_a_deliberate_probe_is_not_the_apps_leak_but_others_are(
    tmp_path: Path,
) -> None:
    # uvicorn's access log records the query a client sent: here the suite's own probe, which
    # sends a live token in the URL to prove the stream refuses it.
    probe = f"/api/positions/stream?access_token={JWT}"
    log = tmp_path / "backend.log"
    log.write_text(
        f'INFO:     127.0.0.1:1 - "GET {probe} HTTP/1.1" 401 Unauthorized\n'
        f'INFO:     127.0.0.1:2 - "GET {probe}&password={PASSWORD} HTTP/1.1" 401 Unauthorized\n'
        f'INFO:     127.0.0.1:3 - "GET /api/positions?token={JWT} HTTP/1.1" 200 OK\n'
    )
    audit = RunAudit(log_files={log}, deliberate={probe.encode()})

    assert audit.findings({PASSWORD}) == [
        "backend.log line 2: a registered secret",
        "backend.log line 3: a bearer token (JWT)",
    ]


def test_the_logs_are_judged_as_they_were_when_frozen(tmp_path: Path) -> None:
    log = _log(tmp_path, {"event": "login", "token": JWT})
    audit = RunAudit(log_files={log})
    audit.freeze_logs()
    log.write_text("[REDACTED]\n")  # what the harness does to the logs once the servers stop

    assert audit.findings(set()) == ["backend.log line 1: a bearer token (JWT)"]
