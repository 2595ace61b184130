"""The soak's judging (tests/soak.py): which runs pass, what counts as a rerun, the summary."""

from __future__ import annotations

from typing import Any

from tests.soak import RunOutcome, outcome_from, problems, reruns_of, summary


def _test(items: list[str], attempts: int) -> dict[str, Any]:
    return {
        "items": items,
        "attempts": [{"outcome": "failed"}] * (attempts - 1) + [{"outcome": "passed"}],
    }


def _results(verdict: str = "GO", tests: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"verdict": verdict, "reason": f"{verdict} because", "tests": tests or []}


def _run(number: int = 1, verdict: str = "GO", reruns: dict[str, int] | None = None) -> RunOutcome:
    return RunOutcome(number, verdict, "why", 60.0, 7.5, 0, reruns or {})


def test_reruns_count_tests_with_more_than_one_attempt_per_item() -> None:
    results = _results(
        tests=[_test(["OC-06"], 2), _test(["OC-06", "API-06"], 3), _test(["ENV-01"], 1)]
    )
    assert reruns_of(results) == {"OC-06": 2, "API-06": 1}


def test_every_run_go_and_browser_reruns_only_passes() -> None:
    assert problems([_run(1), _run(2, reruns={"OC-09": 1})]) == []


def test_a_run_that_is_not_go_fails_the_soak() -> None:
    found = problems([_run(1), _run(2, verdict="GO WITH WARNINGS")])
    assert found == ["run 2: GO WITH WARNINGS: why"]


def test_a_rerun_of_an_api_or_env_item_fails_the_soak_even_when_go() -> None:
    found = problems([_run(1, reruns={"API-06": 1}), _run(2, reruns={"ENV-05": 1, "OC-01": 1})])
    assert found == [
        "run 1: deterministic item(s) needed a rerun: ['API-06']",
        "run 2: deterministic item(s) needed a rerun: ['ENV-05']",
    ]


def test_no_runs_is_no_pass() -> None:
    assert problems([]) == ["no run was made"]


def test_a_run_without_results_is_not_go() -> None:
    run = outcome_from(3, None, 12.0, 9.0, 1)
    assert run.verdict != "GO"
    assert problems([run]) == ["run 3: NO RESULTS: results.json was not written"]


def test_outcome_reads_verdict_reason_and_reruns() -> None:
    run = outcome_from(4, _results("NO-GO", [_test(["OC-02"], 4)]), 70.0, 8.0, 1)
    assert (run.verdict, run.reason, run.reruns) == ("NO-GO", "NO-GO because", {"OC-02": 1})
    assert "OC-02 x1" in run.line(20) and "exit code 1" in run.line(20)


def test_summary_gives_medians_and_rerun_totals() -> None:
    runs = [
        RunOutcome(1, "GO", "", 50.0, 6.0, 0, {"OC-06": 1}),
        RunOutcome(2, "GO", "", 70.0, 9.0, 0, {}),
        RunOutcome(3, "NO-GO", "x", 60.0, 8.0, 1, {"OC-06": 2}),
    ]
    text = summary(runs)
    assert "3 runs: 2 GO, 1 NO-GO" in text
    assert "median 60.0 s (min 50.0, max 70.0)" in text
    assert "median 8.00" in text
    assert "runs with a rerun: 2; reruns by item: OC-06 x3" in text


def test_advisory_items_that_warned_are_named_with_their_first_error_line() -> None:
    results = {
        "verdict": "GO WITH WARNINGS",
        "reason": "PERF-01 (advisory) failed",
        "items": [
            {"id": "PERF-01", "required": False, "status": "fail"},
            {"id": "A11Y-01", "required": False, "status": "pass"},
            {"id": "OC-01", "required": True, "status": "pass"},
        ],
        "tests": [
            {
                "items": ["PERF-01"],
                "attempts": [{"outcome": "failed", "error": "chain 2400 ms > 1500 ms\nmore"}],
            }
        ],
    }
    run = outcome_from(5, results, 80.0, 9.0, 0)
    assert run.advisory == {"PERF-01": "fail: chain 2400 ms > 1500 ms"}
    assert "advisory PERF-01: fail: chain 2400 ms > 1500 ms" in run.line(20)
    assert "GO WITH WARNINGS from advisory items alone: 1" in summary([run])
