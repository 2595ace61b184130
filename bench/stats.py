"""Pure figures of the benchmark: one run's breakdown from its outputs, and medians over runs.

No process, no clock: ``run_breakdown`` reads what a run left (its ``results.json`` and the
``bench.timing`` plugin's JSON plus the wall time the runner measured) and ``summarise`` turns
several breakdowns and floor measurements into the document written to ``bench.json``.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bench.load import DEFAULT_TOLERANCE, comparable

SCHEMA = 2
SCENARIO_MODULE = "test_options_chain.py"
# bench/floor.py's parts (its docstring says what each includes); their sum is ``total_s``.
FLOOR_PARTS = ("servers_ready_s", "browser_launch_s", "sign_in_s", "scenarios_s", "stop_s")


def spread(values: Iterable[float]) -> dict[str, float]:
    """Median, min and max (rounded to ms) of ``values``; zeros for none."""
    data = sorted(float(v) for v in values)
    if not data:
        return {"median": 0.0, "min": 0.0, "max": 0.0, "n": 0}
    return {
        "median": round(statistics.median(data), 3),
        "min": round(data[0], 3),
        "max": round(data[-1], 3),
        "n": len(data),
    }


def _final(attempts: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    return attempts[-1] if attempts else {}


def _scenario_name(nodeid: str, items: Sequence[str]) -> str:
    name = nodeid.split("::", 1)[-1]
    return f"{items[0]} {name}" if items else name


def run_breakdown(
    wall_s: float, spawned_at: float, results: Mapping[str, Any], timing: Mapping[str, Any]
) -> dict[str, Any]:
    """Where one run's wall time went.

    ``wall_s``: process spawn to exit, measured by the runner; ``spawned_at``: the spawn's epoch
    time; ``results``: the run's results.json; ``timing``: the ``bench.timing`` plugin's JSON.
    Test bodies are the ``call`` phases of each test's final attempt; everything else is overhead.
    """
    marks = timing.get("marks", {})
    phases: Mapping[str, Sequence[Mapping[str, Any]]] = timing.get("phases", {})
    items = {t["nodeid"]: t.get("items", []) for t in results.get("tests", [])}
    scenarios: dict[str, float] = {}
    bodies = setups = teardowns = 0.0
    for nodeid, attempts in phases.items():
        final = _final(attempts)
        call = float(final.get("call", 0.0))
        bodies += call
        # Every attempt's setup and teardown is harness time; failed attempts' calls are too.
        for attempt in attempts:
            setups += float(attempt.get("setup", 0.0))
            teardowns += float(attempt.get("teardown", 0.0))
            if attempt is not final:
                setups += float(attempt.get("call", 0.0))
        if SCENARIO_MODULE in nodeid:
            scenarios[_scenario_name(nodeid, items.get(nodeid, []))] = call
    facts = results.get("run", {}).get("facts", {})
    ready = {k: float(v) for k, v in (facts.get("server_ready_s") or {}).items()}
    ended = marks.get("unconfigured")
    breakdown = {
        "full_run_s": wall_s,
        "verdict": results.get("verdict"),
        "pytest_start_s": marks["configured"] - spawned_at if "configured" in marks else 0.0,
        "collect_and_servers_s": _between(marks, "configured", "first_test"),
        "servers_ready_s": ready,
        "browser_launch_s": sum(timing.get("browser_launch_s", [])),
        "tests_s": _between(marks, "first_test", "last_test"),
        "test_bodies_s": bodies,
        "scenario_bodies_s": sum(scenarios.values()),
        "scenarios": scenarios,
        "per_test_setup_s": setups,
        "per_test_teardown_s": teardowns,
        "harness_stop_s": float(timing.get("harness_stop_s", 0.0)),
        "results_s": float(timing.get("results_s", 0.0)),
        "checklist_render_s": float(timing.get("checklist_render_s", 0.0)),
        "exit_s": spawned_at + wall_s - ended if ended else 0.0,
        "overhead_s": wall_s - bodies,
    }
    breakdown["teardown_s"] = breakdown["harness_stop_s"] + breakdown["exit_s"]
    return breakdown


def _between(marks: Mapping[str, float], first: str, second: str) -> float:
    if first in marks and second in marks:
        return max(0.0, marks[second] - marks[first])
    return 0.0


def floor_sum(floor: Mapping[str, float]) -> float:
    """The floor's whole time: measured end to end, else the sum of its parts."""
    if "total_s" in floor:
        return float(floor["total_s"])
    return sum(float(floor[part]) for part in FLOOR_PARTS)


def _median_ratio(pairs: Iterable[tuple[float, float]]) -> float | None:
    ratios = [a / b for a, b in pairs if b > 0]
    return round(statistics.median(ratios), 3) if ratios else None


def compare_rounds(
    runs: Sequence[Mapping[str, Any]],
    floors: Sequence[Mapping[str, Any]],
    *,
    cpus: int,
    tolerance: float = DEFAULT_TOLERANCE,
) -> dict[str, Any]:
    """Each run against the floor measured right after it, where their loads were similar.

    ``floor_ratio``: median of full run / floor; ``overhead_ratio``: median of (full run - floor) /
    floor; ``scenario_ratio``: median of the run's nine scenario bodies / the floor's nine.
    """
    kept: list[tuple[Mapping[str, Any], Mapping[str, Any]]] = []
    refused: list[str] = []
    for number, (run, floor) in enumerate(zip(runs, floors, strict=False), start=1):
        ok, why = comparable(run, floor, cpus=cpus, tolerance=tolerance)
        if ok:
            kept.append((run, floor))
        else:
            refused.append(f"round {number}: {why}")
    return {
        "rounds_compared": len(kept),
        "rounds_refused": refused,
        "floor_ratio": _median_ratio((r["full_run_s"], floor_sum(f)) for r, f in kept),
        "overhead_ratio": _median_ratio(
            (r["full_run_s"] - floor_sum(f), floor_sum(f)) for r, f in kept
        ),
        "scenario_ratio": _median_ratio(
            (r["scenario_bodies_s"], float(f.get("scenarios_s", 0.0))) for r, f in kept
        ),
        "over_floor_s": spread(r["full_run_s"] - floor_sum(f) for r, f in kept),
    }


def summarise(
    runs: Sequence[Mapping[str, Any]],
    floors: Sequence[Mapping[str, float]],
    *,
    command: Sequence[str],
    machine: Mapping[str, Any],
) -> dict[str, Any]:
    """The bench.json document: medians with min/max over ``runs`` and ``floors``."""
    servers = sorted({name for run in runs for name in run["servers_ready_s"]})
    scenario_names = sorted({name for run in runs for name in run["scenarios"]})
    scalar = [
        "full_run_s",
        "pytest_start_s",
        "collect_and_servers_s",
        "browser_launch_s",
        "tests_s",
        "test_bodies_s",
        "scenario_bodies_s",
        "per_test_setup_s",
        "per_test_teardown_s",
        "harness_stop_s",
        "results_s",
        "checklist_render_s",
        "exit_s",
        "teardown_s",
        "overhead_s",
    ]
    doc: dict[str, Any] = {"schema": SCHEMA, "runs": len(runs), "command": list(command)}
    doc["machine"] = dict(machine)
    doc["verdicts"] = [run.get("verdict") for run in runs]
    for key in scalar:
        doc[key] = spread(run[key] for run in runs)
    doc["servers_ready_s"] = {
        name: spread(run["servers_ready_s"][name] for run in runs if name in run["servers_ready_s"])
        for name in servers
    }
    doc["scenarios"] = {
        name: spread(run["scenarios"][name] for run in runs if name in run["scenarios"])
        for name in scenario_names
    }
    floor_keys = [*FLOOR_PARTS, *sorted({k for f in floors for k in f if k.startswith("OC-")})]
    doc["floor"] = {part: spread(f[part] for f in floors if part in f) for part in floor_keys}
    doc["floor_s"] = spread(floor_sum(f) for f in floors)
    doc.update(compare_rounds(runs, floors, cpus=int(machine.get("cpus") or 1)))
    doc["loads"] = [
        {key: round(float(x[key]), 2) for key in ("load_before", "load_after") if key in x}
        for pair in zip(runs, floors, strict=False)
        for x in pair
    ]
    doc["per_run"] = [dict(run) for run in runs]
    doc["per_floor"] = [dict(f) for f in floors]
    return doc


def table(doc: Mapping[str, Any]) -> str:
    """The figures as aligned text lines (median [min..max])."""

    def row(label: str, figure: Mapping[str, float], indent: int = 0) -> str:
        text = f"{figure['median']:7.3f}  [{figure['min']:.3f} .. {figure['max']:.3f}]"
        return f"{' ' * indent}{label:<44}{text}"

    lines = [f"runs: {doc['runs']}   verdicts: {', '.join(map(str, doc['verdicts']))}"]
    lines.append(f"machine: {dict(doc['machine'])}")
    lines.append(f"{'':44}median   [min .. max]  (seconds)")
    lines.append(row("full run (spawn to exit)", doc["full_run_s"]))
    lines.append(row("pytest start (spawn to configure)", doc["pytest_start_s"]))
    lines.append(row("collection + servers", doc["collect_and_servers_s"]))
    servers = doc["servers_ready_s"]
    if "all" in servers:
        lines.append(row("servers ready (all)", servers["all"], 2))
    for name, figure in servers.items():
        if name != "all":
            lines.append(row(f"{name} ready (own start)", figure, 4))
    lines.append(row("browser launch", doc["browser_launch_s"]))
    lines.append(row("tests (first start to last end)", doc["tests_s"]))
    lines.append(row("test bodies (call phases, all tests)", doc["test_bodies_s"], 2))
    lines.append(row("scenario bodies (OC-01..09)", doc["scenario_bodies_s"], 2))
    for name, figure in doc["scenarios"].items():
        lines.append(row(name[:40], figure, 4))
    lines.append(row("per-test setup (all attempts)", doc["per_test_setup_s"], 2))
    lines.append(row("per-test teardown (all attempts)", doc["per_test_teardown_s"], 2))
    lines.append(row("teardown (servers stop + exit)", doc["teardown_s"]))
    lines.append(row("results + checklist written", doc["results_s"]))
    lines.append(row("checklist render", doc["checklist_render_s"], 2))
    lines.append(row("overhead (full run - test bodies)", doc["overhead_s"]))
    lines.append("floor (bench/floor.py: servers, browser, sign-in, the nine's page work, stop):")
    for part, figure in doc["floor"].items():
        lines.append(row(part, figure, 2))
    lines.append(row("floor (whole)", doc["floor_s"]))
    lines.append(row("full run - floor (rounds compared)", doc["over_floor_s"]))
    lines.append(
        f"rounds compared: {doc['rounds_compared']}; full run / floor: {doc['floor_ratio']}; "
        f"overhead ratio ((run - floor) / floor): {doc['overhead_ratio']}; "
        f"nine scenarios / floor's nine: {doc['scenario_ratio']}"
    )
    for why in doc["rounds_refused"]:
        lines.append(f"NOT COMPARED (load): {why}")
    return "\n".join(lines)
