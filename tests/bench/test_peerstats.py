"""The peer comparison's figures: scenario times from both runners, pairs, load guard, summary."""

from __future__ import annotations

from bench import load, peerstats

NINE = list(peerstats.HARNESS_ITEMS)


def _timing(outcome: str = "passed") -> dict:
    phases = {
        f"acceptance/test_options_chain.py::{name}[chromium]": [
            {"setup": 0.1, "call": 0.5, "call_outcome": outcome, "teardown": 0.1}
        ]
        for name in NINE
    }
    first = "acceptance/test_options_chain.py::test_chain_loads[chromium]"
    phases[first].insert(0, {"setup": 0.1, "call": 2.0, "call_outcome": "failed"})
    phases["acceptance/test_api_contract.py::test_health"] = [{"call": 9.0}]
    return {"phases": phases}


def _peer_report(flaky: int = 0, unexpected: int = 0) -> dict:
    specs = [
        {"title": f"OC-0{n} something", "tests": [{"results": [{"duration": 1500}]}]}
        for n in range(1, 10)
    ]
    return {
        "suites": [
            {
                "title": "options-chain.spec.ts",
                "specs": specs[:4],
                "suites": [{"title": "nested", "specs": specs[4:]}],
            }
        ],
        "stats": {"expected": 9 - flaky - unexpected, "flaky": flaky, "unexpected": unexpected},
        "errors": [],
    }


def _side(wall: float, cpu: float = 1.0, before: float = 1.0, after: float = 1.0) -> dict:
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "load_before": before,
        "load_after": after,
        "passed": True,
        "scenarios": {"OC-01": wall / 9},
    }


def test_harness_scenarios_sum_every_attempt_of_the_nine_only() -> None:
    scenarios = peerstats.harness_scenarios(_timing())

    assert list(scenarios) == [f"OC-0{n}" for n in range(1, 10)]
    assert scenarios["OC-01"] == 2.5
    assert scenarios["OC-02"] == 0.5


def test_harness_passed_needs_every_final_attempt_passed() -> None:
    assert peerstats.harness_passed(_timing())
    assert not peerstats.harness_passed(_timing("failed"))
    assert not peerstats.harness_passed({"phases": {}})


def test_peer_scenarios_come_from_nested_suites_by_item_id() -> None:
    scenarios = peerstats.peer_scenarios(_peer_report())

    assert scenarios == {f"OC-0{n}": 1.5 for n in range(1, 10)}


def test_peer_passed_counts_flaky_as_passed_and_unexpected_as_failed() -> None:
    assert peerstats.peer_passed(_peer_report(flaky=1))
    assert not peerstats.peer_passed(_peer_report(unexpected=1))


def test_loads_far_apart_are_not_comparable() -> None:
    ok, why = load.comparable(
        {"load_before": 2.0, "load_after": 2.5}, {"load_before": 8.0, "load_after": 8.0}, cpus=2
    )

    assert not ok
    assert "2.00 to 8.00" in why


def test_loads_close_on_a_busy_machine_are_comparable() -> None:
    ok, _ = load.comparable(
        {"load_before": 8.0, "load_after": 11.0}, {"load_before": 12.0, "load_after": 10.0}, cpus=2
    )

    assert ok


def test_an_idle_machine_tolerates_small_absolute_changes() -> None:
    ok, _ = load.comparable(
        {"load_before": 0.1, "load_after": 0.9}, {"load_before": 0.5, "load_after": 0.2}, cpus=2
    )

    assert ok


def test_ratio_is_the_median_of_comparable_pairs_only() -> None:
    pairs = [
        peerstats.pair(_side(6.0), _side(10.0), order=("harness", "peer"), cpus=2, tolerance=0.5),
        peerstats.pair(_side(8.0), _side(10.0), order=("peer", "harness"), cpus=2, tolerance=0.5),
        peerstats.pair(_side(7.0), _side(10.0), order=("harness", "peer"), cpus=2, tolerance=0.5),
        peerstats.pair(
            _side(1.0, before=1.0),
            _side(10.0, after=9.0),
            order=("peer", "harness"),
            cpus=2,
            tolerance=0.5,
        ),
    ]

    doc = peerstats.summarise(pairs, machine={"cpus": 2})

    assert [p["comparable"] for p in doc["pairs"]] == [True, True, True, False]
    assert doc["ratio"] == 0.7
    assert doc["meets_target"]
    assert doc["pairs_compared"] == 3
    assert doc["harness_wall_s"]["median"] == 7.0


def test_a_pair_where_a_side_failed_is_not_compared() -> None:
    failed = {**_side(5.0), "passed": False}

    result = peerstats.pair(_side(5.0), failed, order=("harness", "peer"), cpus=2, tolerance=0.5)

    assert not result["comparable"]
    assert "peer" in result["why_not"]


def test_no_comparable_pair_gives_no_ratio() -> None:
    failed = {**_side(5.0), "passed": False}
    pairs = [peerstats.pair(failed, _side(5.0), order=("harness", "peer"), cpus=2, tolerance=0.5)]

    doc = peerstats.summarise(pairs, machine={"cpus": 2})

    assert doc["ratio"] is None
    assert not doc["meets_target"]
    assert "NOT met" in peerstats.table(doc)
