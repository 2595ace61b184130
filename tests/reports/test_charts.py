"""Inline SVG charts of the nightly history: valid, self-contained, faithful to the figures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from reports import charts, history

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_bars_draw_one_bar_per_night_that_ran() -> None:
    root = _parse(charts.bars([0.0, 0.5, None, 1.0], title="OC-06 flake rate"))

    rects = root.findall(f"{SVG}rect")
    assert [r.find(f"{SVG}title").text for r in rects] == ["0%", "50%", "100%"]
    heights = [float(r.get("height")) for r in rects]
    assert heights[0] == 0.0 and heights[1] < heights[2]
    assert root.find(f"{SVG}title").text == "OC-06 flake rate"
    assert root.get("role") == "img"


def test_line_breaks_at_a_missing_night_and_draws_the_budget() -> None:
    root = _parse(
        charts.line([1.0, 2.0, None, 3.0, 4.0], title="OC-01 first row", budget=5.0, unit="ms")
    )

    polylines = root.findall(f"{SVG}polyline")
    assert [len(p.get("points").split()) for p in polylines] == [2, 2]
    assert len(root.findall(f"{SVG}circle")) == 4
    budget = root.find(f"{SVG}line")
    assert budget.find(f"{SVG}title").text == "budget 5 ms"
    # The budget is the top of the scale here: its line sits at the top padding.
    assert float(budget.get("y1")) == charts.PAD


def test_a_higher_figure_is_drawn_higher() -> None:
    root = _parse(charts.line([1.0, 4.0], title="t"))

    ys = [float(c.get("cy")) for c in root.findall(f"{SVG}circle")]
    assert ys[1] < ys[0]


def test_no_history_gives_an_empty_chart_that_says_so() -> None:
    for svg in (charts.bars([], title="x"), charts.line([None, None], title="x")):
        root = _parse(svg)
        assert root.find(f"{SVG}title").text == "x: no history yet"


def test_titles_are_escaped_and_nothing_is_fetched() -> None:
    svg = charts.line([1.0], title='<script>alert("x")</script> & co')

    assert "<script>" not in svg
    assert _parse(svg).find(f"{SVG}title").text == '<script>alert("x")</script> & co'
    assert "href" not in svg and svg.count("http") == 1  # the xmlns only


def test_flake_rates_mark_flaky_nights_and_skip_nights_without_a_run() -> None:
    rates = charts.flake_rates(["pass", "flaky", "not run", "fail", "not covered"])

    assert rates == [0.0, 1.0, None, 0.0, None]


def test_a_trend_of_five_nights_gives_every_chart() -> None:
    nights = [
        {
            "run": {"started_at": f"2026-11-2{n}"},
            "items": {"OC-02": "flaky" if n == 3 else "pass"},
            "durations_s": {"OC-02": 1.0 + n},
            "page_timings_ms": {"OC-02": {"expiration_switch": 100.0 * n}} if n != 2 else {},
        }
        for n in range(1, 6)
    ]
    trend = history.trend(nights, ["OC-02"])

    assert trend["durations_s"]["OC-02"] == [2.0, 3.0, 4.0, 5.0, 6.0]
    assert trend["page_timings_ms"]["OC-02 expiration_switch"] == [100.0, None, 300.0, 400.0, 500.0]
    drawn = charts.history_charts(trend, {"expiration_switch": 450.0})
    flaky = _parse(drawn["flake_rate"]["OC-02"]).findall(f"{SVG}rect")
    assert [r.find(f"{SVG}title").text for r in flaky] == ["0%", "0%", "100%", "0%", "0%"]
    assert len(_parse(drawn["duration"]["OC-02"]).findall(f"{SVG}circle")) == 5
    timing = _parse(drawn["page_timing"]["OC-02 expiration_switch"])
    assert len(timing.findall(f"{SVG}circle")) == 4
    assert timing.find(f"{SVG}line").find(f"{SVG}title").text == "budget 450 ms"


def test_history_keeps_durations_and_the_last_attempts_page_timings() -> None:
    results = {
        "run": {"started_at": "2026-11-29T00:00:00"},
        "verdict": "GO",
        "items": [{"id": "OC-02", "status": "flaky", "duration_s": 3.5}],
        "tests": [
            {
                "nodeid": "t::oc02",
                "status": "flaky",
                "items": ["OC-02"],
                "attempts": [
                    {"page_timings_ms": {"expiration_switch": 9000.0}},
                    {"page_timings_ms": {"expiration_switch": 700.0}},
                ],
            }
        ],
    }

    entry = history.entry(results)

    assert entry["durations_s"] == {"OC-02": 3.5}
    assert entry["page_timings_ms"] == {"OC-02": {"expiration_switch": 700.0}}
