"""Small inline SVG charts of the nightly history: pure functions, data in, SVG text out.

For the HTML checklist (no server, no network, no script): ``bars`` draws one bar per night
(a flake rate, 0..1), ``line`` one point per night (a duration, a page timing against its
budget). Oldest night left, this one right; a night without a figure leaves a gap. Every chart
carries a ``<title>`` (tooltip and accessible name) and ``role="img"``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

WIDTH = 160
HEIGHT = 32
PAD = 2
BAR_COLOUR = "#c77c02"
LINE_COLOUR = "#1f5fa8"
BUDGET_COLOUR = "#b3261e"
EMPTY_COLOUR = "#d0d0d0"


def _svg(title: str, body: str, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>{body}</svg>'
    )


def _x(index: int, count: int, width: int) -> float:
    if count <= 1:
        return width / 2
    return PAD + index * (width - 2 * PAD) / (count - 1)


def bars(
    rates: Sequence[float | None], *, title: str, width: int = WIDTH, height: int = HEIGHT
) -> str:
    """One bar per night for a rate in 0..1 (None: the item did not run that night)."""
    count = len(rates)
    if not count:
        return _svg(f"{title}: no history yet", "", width, height)
    slot = (width - 2 * PAD) / count
    parts = [
        f'<line x1="{PAD}" y1="{height - PAD}" x2="{width - PAD}" y2="{height - PAD}" '
        f'stroke="{EMPTY_COLOUR}" stroke-width="1"/>'
    ]
    for index, rate in enumerate(rates):
        x = PAD + index * slot + slot * 0.15
        if rate is None:
            continue
        share = min(max(float(rate), 0.0), 1.0)
        bar = max(share * (height - 2 * PAD), 1.0 if share > 0 else 0.0)
        parts.append(
            f'<rect x="{x:.1f}" y="{height - PAD - bar:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{bar:.1f}" fill="{BAR_COLOUR}"><title>{share:.0%}</title></rect>'
        )
    return _svg(title, "".join(parts), width, height)


def line(
    values: Sequence[float | None],
    *,
    title: str,
    budget: float | None = None,
    unit: str = "s",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    """One point per night (None: no figure that night), joined where consecutive; an optional
    dashed budget line. The scale runs from 0 to the largest figure or the budget."""
    known = [float(v) for v in values if v is not None]
    if not known:
        return _svg(f"{title}: no history yet", "", width, height)
    top = max([*known, float(budget or 0.0)]) or 1.0
    count = len(values)

    def y(value: float) -> float:
        return height - PAD - (value / top) * (height - 2 * PAD)

    parts: list[str] = []
    if budget is not None:
        parts.append(
            f'<line x1="{PAD}" y1="{y(budget):.1f}" x2="{width - PAD}" y2="{y(budget):.1f}" '
            f'stroke="{BUDGET_COLOUR}" stroke-width="1" stroke-dasharray="3 2">'
            f"<title>budget {budget:g} {escape(unit)}</title></line>"
        )
    run: list[str] = []
    segments: list[list[str]] = [run]
    for index, value in enumerate(values):
        if value is None:
            run = []
            segments.append(run)
            continue
        run.append(f"{_x(index, count, width):.1f},{y(float(value)):.1f}")
    for segment in segments:
        if len(segment) > 1:
            parts.append(
                f'<polyline points="{" ".join(segment)}" fill="none" stroke="{LINE_COLOUR}" '
                f'stroke-width="1.5"/>'
            )
    for index, value in enumerate(values):
        if value is not None:
            parts.append(
                f'<circle cx="{_x(index, count, width):.1f}" cy="{y(float(value)):.1f}" r="1.8" '
                f'fill="{LINE_COLOUR}"><title>{float(value):g} {escape(unit)}</title></circle>'
            )
    return _svg(title, "".join(parts), width, height)


def flake_rates(statuses: Sequence[str]) -> list[float | None]:
    """Per night, 1.0 when the item was flaky, 0.0 when it passed or failed, None when it did not
    run: the bars then show which nights it flaked."""
    return [1.0 if s == "flaky" else 0.0 if s in ("pass", "fail") else None for s in statuses]


def history_charts(
    trend: Mapping[str, Any], budgets_ms: Mapping[str, float] | None = None
) -> dict[str, dict[str, str]]:
    """Every chart of a nightly trend (reports/history.py ``trend``): per item its flake-rate bars
    and its duration line; per page measurement (``"OC-02 expiration_switch"``) its line against
    its budget."""
    budgets = dict(budgets_ms or {})
    durations = trend.get("durations_s", {})
    out: dict[str, dict[str, str]] = {"flake_rate": {}, "duration": {}, "page_timing": {}}
    for item_id, entry in trend.get("items", {}).items():
        out["flake_rate"][item_id] = bars(
            flake_rates(entry["results"]), title=f"{item_id}: flaky nights"
        )
        series = durations.get(item_id)
        if series and any(v is not None for v in series):
            out["duration"][item_id] = line(series, title=f"{item_id}: duration (s)")
    for key, series in trend.get("page_timings_ms", {}).items():
        name = key.split(" ", 1)[-1]
        out["page_timing"][key] = line(
            series, title=f"{key} (ms)", budget=budgets.get(name), unit="ms"
        )
    return out
