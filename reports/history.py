"""Nightly results history: one small JSON file per run, and the per-item trend drawn from it.

The folder lives outside reports/out (default reports/history) so `make clean` keeps it and CI can
cache or restore it between nightly runs.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

WINDOW = 10
# One character per run so a row of the trend reads at a glance: oldest left, this run right.
SYMBOLS = {
    "pass": "P",
    "flaky": "~",
    "fail": "F",
    "blocked": "B",
    "skipped": "S",
    "not run": "N",
    "not covered": "-",
    "not applicable": ".",
}


def entry(results: dict[str, Any]) -> dict[str, Any]:
    run = results["run"]
    return {
        "run": {
            key: run.get(key)
            for key in ("started_at", "commit", "branch", "run_mode", "release", "duration_s")
        },
        "verdict": results["verdict"],
        "items": {item["id"]: item["status"] for item in results["items"]},
        "tests": {test["nodeid"]: test["status"] for test in results["tests"]},
        "durations_s": {item["id"]: item.get("duration_s") for item in results["items"]},
        "page_timings_ms": page_timings(results),
    }


def page_timings(results: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per checklist item, the page timings of its test's last attempt (PERF-01's figures)."""
    figures: dict[str, dict[str, float]] = {}
    for test in results["tests"]:
        attempts = test.get("attempts") or []
        measured = attempts[-1].get("page_timings_ms") if attempts else None
        if measured and test.get("items"):
            figures.setdefault(test["items"][0], {}).update(measured)
    return figures


def append(history_dir: Path, results: dict[str, Any]) -> Path:
    history_dir.mkdir(parents=True, exist_ok=True)
    stamp = "".join(ch for ch in (results["run"].get("started_at") or "") if ch.isalnum())
    path = history_dir / f"{stamp}-{uuid.uuid4().hex[:8]}.json"
    path.write_text(json.dumps(entry(results), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def load(history_dir: Path) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    for path in sorted(history_dir.glob("*.json")) if history_dir.is_dir() else []:
        try:
            runs.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            continue
    return sorted(runs, key=lambda r: r["run"].get("started_at") or "")


def trend(runs: list[dict[str, Any]], item_ids: list[str], window: int = WINDOW) -> dict[str, Any]:
    """Per item: its statuses over the last ``window`` runs (oldest first) and its flake rate,
    the share of the runs in which it ran (pass, flaky or fail) that were flaky."""
    recent = runs[-window:]
    items: dict[str, Any] = {}
    for item_id in item_ids:
        statuses = [run["items"].get(item_id, "not covered") for run in recent]
        ran = sum(1 for s in statuses if s in ("pass", "flaky", "fail"))
        flaky = statuses.count("flaky")
        items[item_id] = {
            "results": statuses,
            "trend": " ".join(SYMBOLS.get(s, "?") for s in statuses),
            "ran": ran,
            "flaky": flaky,
            "failed": statuses.count("fail"),
        }
    return {
        "window": window,
        "runs": [run["run"] for run in recent],
        "items": items,
        "durations_s": {
            item_id: [run.get("durations_s", {}).get(item_id) for run in recent]
            for item_id in item_ids
        },
        "page_timings_ms": _timing_series(recent),
    }


def _timing_series(recent: list[dict[str, Any]]) -> dict[str, list[float | None]]:
    """``"<item> <measurement>"`` -> its figure per run (None when not measured that night)."""
    names = sorted(
        {
            f"{item} {name}"
            for run in recent
            for item, m in run.get("page_timings_ms", {}).items()
            for name in m
        }
    )
    return {
        key: [
            run.get("page_timings_ms", {}).get(key.split(" ", 1)[0], {}).get(key.split(" ", 1)[1])
            for run in recent
        ]
        for key in names
    }
