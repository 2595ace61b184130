"""The benchmark's figures: spreads, one run's breakdown, the bench.json document."""

from __future__ import annotations

import json

from bench import stats

SCENARIO = "acceptance/test_options_chain.py::test_chain_loads[chromium]"
API_TEST = "acceptance/test_api_contract.py::test_health"
RESULTS = {
    "verdict": "GO",
    "run": {"facts": {"server_ready_s": {"stub": 0.5, "backend": 0.9, "all": 1.0}}},
    "tests": [{"nodeid": SCENARIO, "items": ["OC-01"]}, {"nodeid": API_TEST, "items": ["API-01"]}],
}
TIMING = {
    "marks": {"configured": 100.5, "first_test": 102.0, "last_test": 106.0, "unconfigured": 107.0},
    "phases": {
        SCENARIO: [
            {"setup": 0.3, "call": 2.0, "teardown": 0.2},
            {"setup": 0.3, "call": 1.0, "teardown": 0.2},
        ],
        API_TEST: [{"setup": 0.01, "call": 0.5, "teardown": 0.0}],
    },
    "browser_launch_s": [0.4],
    "harness_stop_s": 0.3,
    "results_s": 0.2,
    "checklist_render_s": 0.05,
}
FLOOR = {
    "servers_ready_s": 0.5,
    "browser_launch_s": 0.4,
    "sign_in_s": 0.05,
    "OC-01_s": 0.5,
    "scenarios_s": 0.5,
    "stop_s": 0.1,
    "total_s": 1.6,
}


def test_spread_gives_median_min_and_max() -> None:
    assert stats.spread([3.0, 1.0, 2.0, 10.0]) == {"median": 2.5, "min": 1.0, "max": 10.0, "n": 4}


def test_spread_of_nothing_is_zeros() -> None:
    assert stats.spread([]) == {"median": 0.0, "min": 0.0, "max": 0.0, "n": 0}


def test_test_bodies_are_the_final_attempts_calls() -> None:
    run = stats.run_breakdown(8.0, 100.0, RESULTS, TIMING)

    assert run["test_bodies_s"] == 1.5
    assert run["scenarios"] == {"OC-01 test_chain_loads[chromium]": 1.0}
    assert run["overhead_s"] == 8.0 - 1.5


def test_a_failed_attempts_call_counts_as_overhead() -> None:
    run = stats.run_breakdown(8.0, 100.0, RESULTS, TIMING)

    assert round(run["per_test_setup_s"], 6) == round(0.3 + 2.0 + 0.3 + 0.01, 6)


def test_breakdown_reads_marks_and_facts() -> None:
    run = stats.run_breakdown(8.0, 100.0, RESULTS, TIMING)

    assert run["pytest_start_s"] == 0.5
    assert run["tests_s"] == 4.0
    assert run["exit_s"] == 1.0
    assert run["teardown_s"] == 0.3 + 1.0
    assert run["servers_ready_s"]["backend"] == 0.9


def test_summary_has_the_promised_keys_and_ratio() -> None:
    runs = [stats.run_breakdown(wall, 100.0, RESULTS, TIMING) for wall in (8.0, 9.0, 10.0)]

    doc = stats.summarise(runs, [FLOOR] * 3, command=["pytest"], machine={"cpus": 2})

    for key in ("full_run_s", "servers_ready_s", "overhead_s", "floor_s", "overhead_ratio"):
        assert key in doc
    assert doc["full_run_s"]["median"] == 9.0
    assert doc["floor_s"]["median"] == 1.6
    assert doc["floor_ratio"] == round(9.0 / 1.6, 3)
    assert doc["overhead_ratio"] == round((9.0 - 1.6) / 1.6, 3)
    assert doc["scenario_ratio"] == round(1.0 / 0.5, 3)
    assert doc["floor"]["OC-01_s"]["median"] == 0.5
    assert doc["scenarios"]["OC-01 test_chain_loads[chromium]"]["median"] == 1.0
    assert set(doc["servers_ready_s"]) == {"all", "backend", "stub"}
    json.dumps(doc)


def test_without_a_floor_there_is_no_ratio() -> None:
    runs = [stats.run_breakdown(8.0, 100.0, RESULTS, TIMING)]

    assert stats.summarise(runs, [], command=[], machine={})["overhead_ratio"] is None


def test_table_names_every_scenario() -> None:
    runs = [stats.run_breakdown(8.0, 100.0, RESULTS, TIMING)]
    doc = stats.summarise(runs, [FLOOR], command=[], machine={})

    text = stats.table(doc)

    assert "OC-01 test_chain_loads" in text
    assert "overhead ratio" in text


def test_a_round_whose_floor_saw_another_load_is_not_compared() -> None:
    quiet = {**stats.run_breakdown(8.0, 100.0, RESULTS, TIMING), "load_before": 1.0}
    busy = {**stats.run_breakdown(20.0, 100.0, RESULTS, TIMING), "load_before": 1.0}
    floors = [{**FLOOR, "load_before": 1.2, "load_after": 1.0}, {**FLOOR, "load_after": 9.0}]

    doc = stats.summarise([quiet, busy], floors, command=[], machine={"cpus": 2})

    assert doc["rounds_compared"] == 1
    assert doc["floor_ratio"] == round(8.0 / 1.6, 3)
    assert "round 2: load went from 1.00 to 9.00" in doc["rounds_refused"][0]
    assert "NOT COMPARED (load): round 2" in stats.table(doc)
