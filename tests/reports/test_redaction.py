"""Redaction at the source: values, texts, files and Playwright trace zips lose every secret."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from reports import leaks
from reports.redaction import REDACTED, Redactor, check_zip

PASSWORD = 'pa"ss\\word-7Qx'  # needs JSON escaping: the rewrite must keep lines parseable
TOKEN = "sk-tradier-0123456789"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJxZSIsImV4cCI6MTc2NDQwMDAwMH0"
    ".Qm9ndXNTaWduYXR1cmVCeXRlc0hlcmU"
)


def _trace(path: Path) -> Path:
    """A trace shaped like Playwright's: JSON lines plus resources."""
    events = [
        {
            "type": "before",
            "method": "fill",
            "params": {"selector": "#password", "value": PASSWORD},
        },
        {"type": "before", "method": "addInitScript", "params": {"source": f"token: '{JWT}'"}},
        {"type": "frame-snapshot", "snapshot": {"html": ["INPUT", {"value": "qe"}]}},
    ]
    network = {
        "type": "resource-snapshot",
        "snapshot": {
            "request": {
                "url": "http://127.0.0.1:1/api/options/chain/SPY",
                "headers": [{"name": "Authorization", "value": f"Bearer {JWT}"}],
                "postData": {"text": json.dumps({"password": PASSWORD})},
            }
        },
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("trace.trace", "\n".join(json.dumps(e) for e in events) + "\n")
        archive.writestr("trace.network", json.dumps(network) + "\n")
        archive.writestr("resources/1a2b.json", json.dumps({"access_token": JWT, "t": TOKEN}))
        archive.writestr("resources/3c4d.png", b"\x89PNG no secret here")
    return path


def test_every_form_of_a_secret_and_any_jwt_are_redacted() -> None:
    redactor = Redactor([PASSWORD, TOKEN])
    text = f"{PASSWORD} {json.dumps(PASSWORD)} pw=pa%22ss%5Cword-7Qx {TOKEN} Bearer {JWT}"

    redacted = redactor.text(text)

    assert PASSWORD not in redacted and TOKEN not in redacted and JWT not in redacted
    assert "pa%22ss" not in redacted and 'pa\\"ss' not in redacted
    assert redacted.count(REDACTED) == 5


def test_a_short_value_is_not_a_secret() -> None:
    assert Redactor(["abc"]).text("abc abc") == "abc abc"


def test_a_trace_is_rewritten_without_secrets_and_still_loads(tmp_path: Path) -> None:
    trace = _trace(tmp_path / "trace.zip")

    assert Redactor([PASSWORD, TOKEN]).rewrite_zip(trace)

    check_zip(trace)  # a sound zip whose JSON lines parse
    with zipfile.ZipFile(trace) as archive:
        names = archive.namelist()
        events = [json.loads(line) for line in archive.read("trace.trace").splitlines()]
        network = json.loads(archive.read("trace.network"))
        blobs = [archive.read(name) for name in names]
    assert names == ["trace.trace", "trace.network", "resources/1a2b.json", "resources/3c4d.png"]
    assert events[0]["params"] == {"selector": "#password", "value": REDACTED}
    assert events[2]["snapshot"] == {"html": ["INPUT", {"value": "qe"}]}
    headers = network["snapshot"]["request"]["headers"]
    assert headers == [{"name": "Authorization", "value": f"Bearer {REDACTED}"}]
    assert leaks.scan([trace], [PASSWORD, TOKEN]) == []
    assert all(PASSWORD.encode() not in b and JWT.encode() not in b for b in blobs)


def test_a_clean_zip_is_left_untouched(tmp_path: Path) -> None:
    clean = tmp_path / "clean.zip"
    with zipfile.ZipFile(clean, "w") as archive:
        archive.writestr("trace.trace", '{"type": "before", "method": "goto"}\n')
    before = clean.read_bytes()

    assert not Redactor([PASSWORD, TOKEN]).rewrite_zip(clean)
    assert clean.read_bytes() == before


def test_a_broken_rewrite_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("trace.trace", '{"ok": 1}\n{not json\n')

    with pytest.raises(ValueError, match="line 2"):
        check_zip(broken)


def test_the_scan_finds_a_jwt_nobody_registered(tmp_path: Path) -> None:
    log = tmp_path / "out.log"
    log.write_text(f"GET /api/positions Authorization: Bearer {JWT}\n")

    assert leaks.scan([tmp_path], []) == [str(log)]


def test_redacting_a_tree_rewrites_text_json_and_zips(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(f"token {TOKEN}\n")
    (tmp_path / "b-result.json").write_text(json.dumps({"message": f"x {PASSWORD}"}))
    _trace(tmp_path / "c.zip")

    changed = Redactor([PASSWORD, TOKEN]).rewrite_tree(tmp_path)

    assert sorted(p.name for p in changed) == ["a.txt", "b-result.json", "c.zip"]
    assert json.loads((tmp_path / "b-result.json").read_text()) == {"message": f"x {REDACTED}"}
    assert leaks.scan([tmp_path], [PASSWORD, TOKEN]) == []
