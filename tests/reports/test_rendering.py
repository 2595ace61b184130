"""The checklist documents from saved results: counts, evidence per row, sign-off, HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from reports import catalogue, checklist, results

CATALOGUE = catalogue.from_dicts(
    [
        {
            "id": "OC-01",
            "title": "Chain loads",
            "criterion": "loads",
            "required": True,
            "where": "both",
        },
        {
            "id": "API-01",
            "title": "Health",
            "criterion": "answers",
            "required": True,
            "where": "both",
        },
        {
            "id": "ENV-04",
            "title": "Nothing left",
            "criterion": "clean",
            "required": True,
            "where": "both",
        },
    ]
)
SHOT = "reports/out/artifacts/oc-01/attempt-2/test-finished-1.png"


def attempt(outcome: str, *evidence: tuple[str, str]) -> dict:
    return {
        "outcome": outcome,
        "when": "call" if outcome == "failed" else None,
        "duration_s": 1.0,
        "start": 0.0,
        "error": "boom" if outcome == "failed" else None,
        "details": None,
        "blocked": None,
        "evidence": [{"kind": k, "path": p} for k, p in evidence],
    }


def sample(run: dict | None = None) -> dict:
    tests = [
        {
            "nodeid": "acceptance/test_options_chain.py::test_chain_loads[chromium]",
            "items": ["OC-01"],
            "attempts": [
                attempt(
                    "failed",
                    ("trace", "reports/out/artifacts/oc-01/attempt-1/trace.zip"),
                    ("log", "reports/out/artifacts/oc-01/attempt-1/server-log.txt"),
                ),
                attempt("passed", ("screenshot", SHOT)),
            ],
        },
        {
            "nodeid": "acceptance/test_api_contract.py::test_health",
            "items": ["API-01"],
            "attempts": [attempt("passed", ("log", "reports/out/artifacts/h/attempt-1/s.txt"))],
        },
        {
            "nodeid": "harness::ENV-04",
            "items": ["ENV-04"],
            "attempts": [attempt("passed", ("log", "reports/out/evidence/harness-ENV-04.txt"))],
        },
    ]
    facts = {"environment": "bundled app from this repository, on 127.0.0.1"}
    base = {
        "commit": "0123456789abcdef",
        "branch": "main",
        "dirty": False,
        "facts": facts,
        "run_mode": "ci",
        "release": None,
        "started_at": "2026-11-29T04:00:00Z",
        "started_at_display": "2026-11-29 04:00 UTC",
        "duration_s": 12.5,
        "python": "CPython 3.11.7",
        "os": "Linux",
        "pytest": "9.2.0",
        "plugins": {},
        "command": "pytest acceptance",
        "workers": None,
    }
    return results.build(CATALOGUE, tests, {**base, **(run or {})})


def render(tmp_path: Path, data: dict, name: str = "QE_ACCEPTANCE_CHECKLIST.md") -> str:
    return checklist.render(data, tmp_path / "reports" / "out" / name, tmp_path)


def test_tests_and_harness_checks_are_counted_apart_and_named(tmp_path: Path) -> None:
    document = render(tmp_path, sample())

    assert "- **Tests (2):** 1 PASS, 1 FLAKY · 3 attempts, 1 rerun\n" in document
    assert "- **Harness checks (1, not tests):** ENV-04 PASS\n" in document


def test_a_flaky_row_links_its_failed_attempt_and_names_its_tests(tmp_path: Path) -> None:
    document = render(tmp_path, sample())

    row = next(line for line in document.splitlines() if line.startswith("| OC-01 |"))
    assert "[trace](artifacts/oc-01/attempt-1/trace.zip)" in row
    assert "[log](artifacts/oc-01/attempt-1/server-log.txt)" in row
    assert "[tests](#evidence-oc-01)" in row
    section = document.split('<a id="evidence-oc-01"></a>', 1)[1].split("<a id=", 1)[0]
    assert "`acceptance/test_options_chain.py::test_chain_loads[chromium]`: FLAKY" in section
    assert (
        "attempt 2 passed: [screenshot](artifacts/oc-01/attempt-2/test-finished-1.png)" in section
    )
    env_row = next(line for line in document.splitlines() if line.startswith("| ENV-04 |"))
    assert "[log](evidence/harness-ENV-04.txt)" in env_row


def test_an_unsigned_release_awaits_sign_off(tmp_path: Path) -> None:
    document = render(tmp_path, sample({"run_mode": "release", "release": "2.0.0"}))

    block = document.split("## Sign-off\n", 1)[1]
    assert "| 2.0.0 | `0123456789ab` | bundled app from this repository, on 127.0.0.1 |" in block
    assert "**Awaiting sign-off.**" in block
    assert "| | QE lead | | |" in block


def test_signed_off_by_fills_the_approver_lines(tmp_path: Path) -> None:
    signers = [
        checklist.parse_signer("Ada Lovelace <QE lead>", "2026-11-29"),
        checklist.parse_signer("Grace Hopper <Release manager>", "2026-11-29"),
    ]
    data = sample({"run_mode": "release", "release": "2.0.0", "signed_off_by": signers})

    block = render(tmp_path, data).split("## Sign-off\n", 1)[1]

    assert "| Ada Lovelace | QE lead | 2026-11-29 | GO WITH WARNINGS |" in block
    assert "| Grace Hopper | Release manager | 2026-11-29 | GO WITH WARNINGS |" in block
    assert "Awaiting" not in block


def test_a_malformed_signer_is_refused() -> None:
    for bad in ("Ada Lovelace", "<QE lead>", "Ada <>"):
        try:
            checklist.parse_signer(bad, "2026-11-29")
        except ValueError as exc:
            assert "Name <role>" in str(exc)
        else:
            raise AssertionError(f"{bad!r} accepted")


def test_the_root_copy_says_whose_sign_off_it_is(tmp_path: Path) -> None:
    data = sample({"run_mode": "release", "release": "2.0.0", "started_at_display": "2026-11-29"})

    root_copy = checklist.render(data, tmp_path / "QE_ACCEPTANCE_CHECKLIST.md", tmp_path)
    run_copy = render(tmp_path, data)

    intro = root_copy.splitlines()[2]
    assert intro.startswith("> The committed sign-off of release **2.0.0**: run 2026-11-29 from")
    assert "`0123456789ab`" in intro and "reports/out/QE_ACCEPTANCE_CHECKLIST.md" in intro
    assert "committed sign-off" not in run_copy


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.remote: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))
        for key in ("src", "srcset"):
            if values.get(key):
                self.remote.append(str(values[key]))
        if tag == "link" or tag == "script":
            self.remote.append(tag)


def test_the_html_has_the_same_links_and_stands_alone(tmp_path: Path) -> None:
    data = sample({"run_mode": "release", "release": "2.0.0"})
    markdown = render(tmp_path, data)
    page = _Page()

    page.feed(checklist.render_html(data, tmp_path / "reports" / "out" / "x.html", tmp_path))

    md_hrefs = set(re.findall(r"\]\(([^)]+)\)", markdown))
    assert md_hrefs <= set(page.hrefs)
    assert page.remote == []  # one self-contained file: no stylesheet, script or image to fetch
    assert {h[1:] for h in page.hrefs if h.startswith("#")} <= page.ids


def test_html_escapes_what_a_failure_message_carries(tmp_path: Path) -> None:
    data = sample()
    data["tests"][1]["attempts"][0].update(outcome="failed", error="<script>alert(1)</script>")
    data = results.build(CATALOGUE, data["tests"], data["run"])

    page = checklist.render_html(data, tmp_path / "x.html", tmp_path)

    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
