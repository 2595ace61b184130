"""A partial run (--items): only the selected items' tests run, the other items are NOT SELECTED,
a finding outside the selection still counts, and the run is never a release sign-off."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports import catalogue, checklist, results, selection
from tests.reports.conftest import Suite, run_facts

pytest_plugins = ["pytester"]

CATALOGUE = catalogue.from_dicts(
    [
        {"id": "OC-01", "title": "Chain", "criterion": "c", "required": True, "where": "both"},
        {"id": "OC-07", "title": "Quotes", "criterion": "c", "required": True, "where": "both"},
        {"id": "API-11", "title": "Oracle", "criterion": "c", "required": True, "where": "both"},
        {"id": "PERF-01", "title": "Budgets", "criterion": "c", "required": False, "where": "both"},
    ]
)


def _test(nodeid: str, items: list[str], *outcomes: str) -> dict:
    attempts = [
        {"outcome": o, "duration_s": 0.1, "start": float(n), "evidence": [], "error": None}
        for n, o in enumerate(outcomes)
    ]
    return {"nodeid": nodeid, "items": items, "attempts": attempts, "deselected": not attempts}


def _built(tests: list[dict], chosen: list[str] | None) -> dict:
    return results.build(CATALOGUE, tests, run_facts(selection=chosen))


def _statuses(built: dict) -> dict[str, str]:
    return {item["id"]: item["status"] for item in built["items"]}


def test_items_outside_the_selection_are_not_selected_and_count_for_nothing() -> None:
    built = _built(
        [
            _test("t::chain", ["OC-01"]),
            _test("t::quotes", ["OC-07"], "passed"),
            _test("t::oracle", ["API-11"], "passed"),
        ],
        ["OC-07", "API-11"],
    )

    assert _statuses(built) == {
        "OC-01": "not selected",
        "OC-07": "pass",
        "API-11": "pass",
        "PERF-01": "not selected",
    }
    assert built["verdict"] == "GO"
    assert built["reason"] == "all 2 selected required items passed; 2 not selected"
    assert results.headline(built) == "GO (partial: OC-07, API-11)"


def test_a_whole_run_that_left_tests_out_is_still_no_go() -> None:
    built = _built([_test("t::chain", ["OC-01"]), _test("t::quotes", ["OC-07"], "passed")], None)

    assert built["verdict"] == "NO-GO"
    assert _statuses(built)["OC-01"] == "not run"
    assert results.headline(built) == "NO-GO"


@pytest.mark.parametrize(
    ("outcomes", "status"),
    [(("failed",), "fail"), (("failed", "passed"), "flaky"), (("passed",), "not selected")],
)
def test_a_finding_outside_the_selection_is_never_hidden(
    outcomes: tuple[str, ...], status: str
) -> None:
    # A harness check (e.g. ENV-04, PERF-01) is recorded in any run, selected or not.
    built = _built(
        [
            _test("t::quotes", ["OC-07"], "passed"),
            _test("harness::PERF-01", ["PERF-01"], *outcomes),
        ],
        ["OC-07"],
    )

    assert _statuses(built)["PERF-01"] == status


def test_a_selected_item_that_fails_is_no_go_and_says_partial() -> None:
    built = _built([_test("t::quotes", ["OC-07"], "failed", "failed")], ["OC-07"])

    assert built["verdict"] == "NO-GO"
    assert built["reason"] == "OC-07 failed"
    assert results.headline(built) == "NO-GO (partial: OC-07)"


def test_merged_partial_runs_select_the_union_and_a_whole_run_selects_everything() -> None:
    quotes = _built([_test("t::quotes", ["OC-07"], "passed")], ["OC-07"])
    oracle = _built([_test("t::oracle", ["API-11"], "passed")], ["API-11"])
    whole = _built([_test("t::chain", ["OC-01"], "passed")], None)

    assert results.merge([quotes, oracle])["run"]["selection"] == ["API-11", "OC-07"]
    assert results.merge([quotes, whole])["run"]["selection"] is None


def test_the_selection_is_parsed_forgivingly_and_unknown_ids_are_named() -> None:
    assert selection.parse(["oc-07, API-11", "OC-07"], ["OC-07", "API-11"]) == ("OC-07", "API-11")
    with pytest.raises(ValueError, match=r"unknown checklist item\(s\) OC-99;"):
        selection.parse(["OC-07,OC-99"], ["OC-07"])


def test_the_document_says_it_is_partial_and_lists_nothing_as_passed(tmp_path: Path) -> None:
    built = _built([_test("t::quotes", ["OC-07"], "passed")], ["OC-07"])

    document = checklist.render(built, tmp_path / "c.md", tmp_path)

    assert document.startswith("# GO (partial: OC-07) — all 1 selected required items passed")
    assert "**Partial run, not a release sign-off.**" in document
    assert "`--items OC-07`" in document
    assert "| OC-01 | Chain | required | NOT SELECTED |" in document
    assert "NOT SELECTED" in checklist.render_html(built, tmp_path / "c.html", tmp_path)


def test_the_generator_refuses_to_sign_off_partial_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "results.json"
    saved.write_text(json.dumps(_built([_test("t::q", ["OC-07"], "passed")], ["OC-07"])))

    code = checklist.main([str(saved), "-o", str(tmp_path / "c.md"), "--release", "2026.12.1"])

    assert code == 4
    assert "are never a release run's: it needs every item" in capsys.readouterr().err
    assert not (tmp_path / "c.md").exists()


SUITE = """
import pytest

@pytest.mark.checklist("OC-01")
def test_chain():
    pass

@pytest.mark.checklist("OC-02")
def test_switch():
    pass

@pytest.mark.checklist("OC-02", "OC-03")
def test_switch_and_link():
    pass
"""


def test_items_runs_only_the_selected_items_tests(suite: Suite) -> None:
    suite.catalogue(OC_01=True, OC_02=True, OC_03=True)
    suite.pytester.makepyfile(test_partial=SUITE)

    run = suite.run("--items", "OC-02")

    run.result.assert_outcomes(passed=2, deselected=1)
    assert run.results["run"]["selection"] == ["OC-02"]
    assert {i["id"]: i["status"] for i in run.results["items"]} == {
        "OC-01": "not selected",
        "OC-02": "pass",
        "OC-03": "not selected",
    }
    assert run.checklist.startswith("# GO (partial: OC-02)")
    assert run.result.ret == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--items", "OC-01,OC-99"), "--items: unknown checklist item(s) OC-99;"),
        (
            ("--items", "OC-01", "--run-mode", "release", "--release", "1.0"),
            "--items makes a partial run, and a release run must be whole",
        ),
        (
            ("--items", "OC-01", "--run-mode", "nightly"),
            "--items makes a partial run, and a nightly run must be whole",
        ),
        (("--items", "OC-04"), "--items OC-04: no test evidences these items"),
    ],
)
def test_a_selection_that_cannot_be_run_is_one_usage_error(
    suite: Suite, args: tuple[str, ...], message: str
) -> None:
    suite.catalogue(OC_01=True, OC_02=True, OC_03=True, OC_04=True)
    suite.pytester.makepyfile(test_partial=SUITE)

    run = suite.run(*args)

    assert run.result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in run.result.stderr.str()
