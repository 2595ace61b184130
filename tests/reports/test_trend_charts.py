"""A nightly run after five stored nights draws its trend: tables in the Markdown, inline SVG
charts in the HTML that render in Chromium without a script, a remote resource or a console
error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser

from reports import history, trends
from tests.reports.conftest import Suite
from tests.support.html_page import opened

pytest_plugins = ["pytester"]

TIMED = """
import pytest
from reports.runinfo import record_page_timing

@pytest.mark.checklist("OC-01")
def test_chain(request):
    pass

@pytest.mark.checklist("OC-02")
def test_switch(request):
    record_page_timing(request.node, "expiration_switch", 600.0)

@pytest.mark.checklist("PERF-01")
def test_budgets():
    pass
"""
BUDGETS = "budgets_ms = { expiration_switch = 2500 }\n"


def night(n: int) -> dict[str, Any]:
    """Night ``n`` of five as results.json would hold it: OC-01 flaky on night 3, OC-02's switch
    measured every night but the second."""
    oc01 = "flaky" if n == 3 else "pass"
    timings = {"expiration_switch": 100.0 * n} if n != 2 else {}
    return {
        "run": {"started_at": f"2026-11-2{n}T02:00:00+00:00", "run_mode": "nightly"},
        "verdict": "GO",
        "items": [
            {"id": "OC-01", "status": oc01, "duration_s": 1.0 + n / 10},
            {"id": "OC-02", "status": "pass", "duration_s": 2.0},
            {"id": "PERF-01", "status": "pass", "duration_s": 0.0},
        ],
        "tests": [
            {"nodeid": "t::test_chain", "status": oc01, "items": ["OC-01"], "attempts": [{}]},
            {
                "nodeid": "t::test_switch",
                "status": "pass",
                "items": ["OC-02"],
                "attempts": [{"page_timings_ms": timings}],
            },
        ],
    }


def _nightly_after_five_nights(suite: Suite) -> Path:
    suite.catalogue(OC_01=True, OC_02=True, PERF_01=False)
    catalogue = suite.path / "checklist.toml"
    catalogue.write_text(catalogue.read_text() + BUDGETS, encoding="utf-8")
    suite.pytester.makepyfile(test_nightly=TIMED)
    for n in range(1, 6):
        history.append(suite.path / "history", night(n))

    run = suite.run("--run-mode", "nightly", "--history-dir", "history")

    assert len(list((suite.path / "history").glob("*.json"))) == 6
    return run.out


def test_the_markdown_keeps_the_trend_as_tables(suite: Suite) -> None:
    out = _nightly_after_five_nights(suite)
    document = (out / "QE_ACCEPTANCE_CHECKLIST.md").read_text(encoding="utf-8")
    trend = document.split("## Trend (last 6 runs)", 1)[1].split("\n## ", 1)[0]

    assert (
        "| OC-01 | Title of OC_01 | `P P ~ P P P` | 1/6 (17%) | 1.1 · 1.2 · 1.3 · 1.4 · 1.5 · "
        in (trend)
    )
    assert "| PERF-01 | Title of PERF_01 | `P P P P P P` | 0/6 (0%) |" in trend
    assert "| OC-02 expiration_switch | 2500 | 100 · – · 300 · 400 · 500 · 600 |" in trend


def test_the_html_draws_the_trend_and_chromium_renders_it(suite: Suite, browser: Browser) -> None:
    out = _nightly_after_five_nights(suite)
    page_path = out / "QE_ACCEPTANCE_CHECKLIST.html"
    html = page_path.read_text(encoding="utf-8")
    assert "<script" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    with opened(page_path, browser) as seen:
        charts = seen.page.eval_on_selector_all(
            "#trend ~ table.trend svg[role=img]",
            """svgs => svgs.map(s => {
                const box = s.getBoundingClientRect();
                return {title: s.querySelector('title').textContent,
                        width: box.width, height: box.height,
                        marks: s.querySelectorAll('rect, circle, polyline').length};
            })""",
        )

    assert seen.errors == []
    assert seen.requests == [page_path.as_uri()]
    titles = {c["title"]: c for c in charts}
    # Flake bars for every item, a duration line for every timed item, the budgeted timing.
    assert {"OC-01: flaky nights", "OC-02: flaky nights", "PERF-01: flaky nights"} <= set(titles)
    assert {"OC-01: duration (s)", "OC-02: duration (s)"} <= set(titles)
    assert "OC-02 expiration_switch (ms)" in titles
    for chart in charts:
        assert chart["width"] > 0 and chart["height"] > 0, chart
        assert chart["marks"] > 0, chart
    assert titles["OC-01: duration (s)"]["marks"] == 6 + 1  # six points and their line


def test_an_item_that_takes_no_time_of_its_own_gets_no_duration_line() -> None:
    nights = [history.entry(night(n)) for n in range(1, 6)]
    trend = history.trend(nights, ["OC-01", "PERF-01"])
    items = [{"id": "OC-01"}, {"id": "PERF-01"}]

    rows = {r["item"]["id"]: r for r in trends.rows(trend, items, {})["items"]}

    assert rows["OC-01"]["durations"] == "1.1 · 1.2 · 1.3 · 1.4 · 1.5"
    assert rows["OC-01"]["duration_chart"].startswith("<svg")
    assert (rows["PERF-01"]["durations"], rows["PERF-01"]["duration_chart"]) == ("", "")
    assert rows["PERF-01"]["flake_chart"].startswith("<svg")
