"""Inline SVG charts of the nightly history: valid, self-contained, faithful to the figures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from reports import charts

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
