"""The nightly trend as the checklist shows it: per item its results, flake rate and duration over
the last nights, per page measurement its figures against the budget.

Both renderings take the same rows: the Markdown the figures as text (a table), the HTML the
same rows with small inline SVG charts (reports/charts.py; no script, no network).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reports import charts

GAP = "–"


def figures(series: Sequence[float | None], digits: int) -> str:
    """A series as text, oldest first; a night without a figure is a dash."""
    return " · ".join(GAP if v is None else f"{float(v):.{digits}f}" for v in series)


def rows(
    history: Mapping[str, Any], items: Sequence[Mapping[str, Any]], budgets: Mapping[str, float]
) -> dict[str, list[dict[str, Any]]]:
    """``items``: per checklist item (in checklist order) its trend, flake rate and durations, with
    charts; ``timings``: per page measurement (``"OC-02 expiration_switch"``) its figures and
    budget, with a chart."""
    drawn = charts.history_charts(history, budgets)
    durations = history.get("durations_s", {})
    item_rows = []
    for item in items:
        entry = history["items"].get(item["id"])
        if entry is None:
            continue
        rate = (
            f"{entry['flaky']}/{entry['ran']} ({entry['flaky'] / entry['ran']:.0%})"
            if entry["ran"]
            else "n/a"
        )
        series = durations.get(item["id"]) or []
        # Harness checks take no time of their own: a line along zero says nothing.
        timed = any(v for v in series)
        item_rows.append(
            {
                "item": item,
                "trend": entry["trend"],
                "rate": rate,
                "durations": figures(series, 1) if timed else "",
                "flake_chart": drawn["flake_rate"].get(item["id"], ""),
                "duration_chart": drawn["duration"].get(item["id"], "") if timed else "",
            }
        )
    timing_rows = [
        {
            "key": key,
            "budget": budgets.get(key.split(" ", 1)[-1]),
            "figures": figures(series, 0),
            "chart": drawn["page_timing"][key],
        }
        for key, series in history.get("page_timings_ms", {}).items()
    ]
    return {"items": item_rows, "timings": timing_rows}
