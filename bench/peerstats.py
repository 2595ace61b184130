"""Pure figures of the peer comparison (bench/peer.py): per-scenario times, pairs, the summary.

No process, no clock: the harness side is read from the ``bench.timing`` plugin's JSON, the peer
side from Playwright Test's JSON reporter; a pair's ratio is harness / peer (below 1: the harness
was faster).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from bench.load import comparable
from bench.stats import SCENARIO_MODULE, spread

SCHEMA = 1
TARGET_RATIO = 0.8
SCENARIO_COUNT = 9
_ITEM = re.compile(r"\bOC-\d{2}\b")
# acceptance/test_options_chain.py's test name -> its checklist item (the peer names tests by id).
HARNESS_ITEMS = {
    "test_chain_loads": "OC-01",
    "test_expiration_switch": "OC-02",
    "test_symbol_switch_and_deep_link": "OC-03",
    "test_unknown_symbol": "OC-04",
    "test_auth_redirects_and_returns": "OC-05",
    "test_upstream_outage_and_recovery": "OC-06",
    "test_quote_correctness": "OC-07",
    "test_strikes_around_the_money": "OC-08",
    "test_live_positions": "OC-09",
}


def _harness_item(nodeid: str) -> str:
    name = nodeid.split("::", 1)[-1].split("[", 1)[0]
    return HARNESS_ITEMS.get(name, name)


def harness_scenarios(timing: Mapping[str, Any]) -> dict[str, float]:
    """Per item, the scenario's call time summed over its attempts (seconds)."""
    out: dict[str, float] = {}
    for nodeid, attempts in timing.get("phases", {}).items():
        if SCENARIO_MODULE in nodeid:
            total = sum(float(a.get("call", 0.0)) for a in attempts)
            out[_harness_item(nodeid)] = round(total, 3)
    return dict(sorted(out.items()))


def harness_passed(timing: Mapping[str, Any]) -> bool:
    """All nine scenarios ran and each one's last attempt passed."""
    finals = [
        attempts[-1]
        for nodeid, attempts in timing.get("phases", {}).items()
        if SCENARIO_MODULE in nodeid and attempts
    ]
    return len(finals) == SCENARIO_COUNT and all(
        a.get("call_outcome") == "passed" and a.get("teardown_outcome", "passed") == "passed"
        for a in finals
    )


def _specs(suite: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from suite.get("specs", [])
    for child in suite.get("suites", []):
        yield from _specs(child)


def peer_scenarios(report: Mapping[str, Any]) -> dict[str, float]:
    """Per item, the test's duration summed over its attempts (seconds), from Playwright's JSON."""
    out: dict[str, float] = {}
    for suite in report.get("suites", []):
        for spec in _specs(suite):
            match = _ITEM.search(str(spec.get("title", "")))
            key = match.group(0) if match else str(spec.get("title"))
            total = sum(
                float(result.get("duration", 0)) / 1000.0
                for test in spec.get("tests", [])
                for result in test.get("results", [])
            )
            out[key] = round(out.get(key, 0.0) + total, 3)
    return dict(sorted(out.items()))


def peer_passed(report: Mapping[str, Any]) -> bool:
    """All nine ran and passed (flaky counts as passed, as on the harness side)."""
    stats = report.get("stats", {})
    ran = int(stats.get("expected", 0)) + int(stats.get("flaky", 0))
    return ran == SCENARIO_COUNT and not stats.get("unexpected") and not report.get("errors")


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 3) if denominator > 0 else None


def pair(
    harness: Mapping[str, Any],
    peer: Mapping[str, Any],
    *,
    order: Sequence[str],
    cpus: int,
    tolerance: float,
) -> dict[str, Any]:
    """One round: both sides' figures, the wall and CPU ratios, and whether they may be compared."""
    ok, reason = comparable(harness, peer, cpus=cpus, tolerance=tolerance)
    if ok and not (harness.get("passed") and peer.get("passed")):
        failed = [
            name for name, side in (("harness", harness), ("peer", peer)) if not side.get("passed")
        ]
        ok, reason = False, f"not every scenario passed on: {', '.join(failed)}"
    return {
        "order": list(order),
        "harness": dict(harness),
        "peer": dict(peer),
        "ratio": _ratio(float(harness["wall_s"]), float(peer["wall_s"])),
        "cpu_ratio": _ratio(float(harness["cpu_s"]), float(peer["cpu_s"])),
        "comparable": ok,
        "why_not": reason,
    }


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def summarise(pairs: Sequence[Mapping[str, Any]], **about: Any) -> dict[str, Any]:
    """The bench-peer.json document; ``ratio`` is the median wall ratio of the comparable pairs."""
    kept = [p for p in pairs if p["comparable"]]
    ratio = _median([p["ratio"] for p in kept if p["ratio"] is not None])
    doc: dict[str, Any] = {"schema": SCHEMA, "pairs_run": len(pairs), "pairs_compared": len(kept)}
    doc.update(about)
    doc["ratio"] = ratio
    doc["cpu_ratio"] = _median([p["cpu_ratio"] for p in kept if p["cpu_ratio"] is not None])
    doc["target_ratio"] = TARGET_RATIO
    doc["meets_target"] = ratio is not None and ratio <= TARGET_RATIO
    for side in ("harness", "peer"):
        doc[f"{side}_wall_s"] = spread(p[side]["wall_s"] for p in kept)
        doc[f"{side}_cpu_s"] = spread(p[side]["cpu_s"] for p in kept)
        names = sorted({n for p in kept for n in p[side]["scenarios"]})
        doc[f"{side}_scenarios_s"] = {
            n: spread(p[side]["scenarios"][n] for p in kept if n in p[side]["scenarios"])
            for n in names
        }
    doc["pairs"] = [dict(p) for p in pairs]
    return doc


def pair_line(number: int, total: int, pair: Mapping[str, Any]) -> str:
    h, p = pair["harness"], pair["peer"]
    line = (
        f"pair {number}/{total} ({' then '.join(pair['order'])}): "
        f"harness {h['wall_s']:.2f}s cpu {h['cpu_s']:.2f}s, peer {p['wall_s']:.2f}s "
        f"cpu {p['cpu_s']:.2f}s, ratio {pair['ratio']}; load "
        f"{min(h['load_before'], p['load_before']):.2f} -> "
        f"{max(h['load_after'], p['load_after']):.2f}"
    )
    return line if pair["comparable"] else f"{line}; NOT COMPARED: {pair['why_not']}"


def table(doc: Mapping[str, Any]) -> str:
    def row(label: str, figure: Mapping[str, float]) -> str:
        return f"{label:<34}{figure['median']:8.3f}  [{figure['min']:.3f} .. {figure['max']:.3f}]"

    lines = [
        f"pairs compared: {doc['pairs_compared']} of {doc['pairs_run']}   machine: "
        f"{dict(doc['machine'])}",
        f"{'':34}  median   [min .. max]  (seconds)",
        row("harness wall (nine, whole run)", doc["harness_wall_s"]),
        row("peer wall (nine, whole run)", doc["peer_wall_s"]),
        row("harness CPU", doc["harness_cpu_s"]),
        row("peer CPU", doc["peer_cpu_s"]),
        f"ratio harness/peer (median of pairs): wall {doc['ratio']}, CPU {doc['cpu_ratio']}"
        f"   target <= {doc['target_ratio']}: {'met' if doc['meets_target'] else 'NOT met'}",
    ]
    return "\n".join(lines)
