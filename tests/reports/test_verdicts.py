"""The verdict of synthetic acceptance runs: GO, NO-GO and GO WITH WARNINGS, and why."""

from __future__ import annotations

import pytest

from tests.reports.conftest import Suite

pytest_plugins = ["pytester"]

TWO_PASSING = """
import pytest

@pytest.mark.checklist("OC-01")
def test_one():
    pass

@pytest.mark.checklist("OC-02")
def test_two():
    pass
"""

# Fails its first attempt, passes the next: the counter file survives the rerun.
FLAKY = """
import pathlib
import pytest

@pytest.mark.checklist("OC-01")
def test_flaky():
    counter = pathlib.Path("attempts.txt")
    seen = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(seen + 1))
    assert seen >= 1, "first attempt fails"
"""


def test_clean_suite_renders_go(suite: Suite) -> None:
    suite.catalogue(OC_01=True, OC_02=True)
    suite.pytester.makepyfile(test_chain=TWO_PASSING)

    run = suite.run()

    assert run.result.ret == pytest.ExitCode.OK
    assert run.results["verdict"] == "GO"
    assert run.checklist.startswith("# GO — all 2 required items passed\n")


def test_deselected_required_scenario_renders_no_go_naming_it(suite: Suite) -> None:
    suite.catalogue(OC_01=True, OC_02=True)
    suite.pytester.makepyfile(test_chain=TWO_PASSING)

    run = suite.run("-k", "not test_two")

    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    assert run.checklist.startswith("# NO-GO — OC-02 not run\n")
    assert run.item("OC-02")["status"] == "not run"
    assert run.test("test_two")["deselected"] is True


def test_deselect_option_renders_no_go(suite: Suite) -> None:
    suite.catalogue(OC_01=True, OC_02=True)
    suite.pytester.makepyfile(test_chain=TWO_PASSING)

    run = suite.run("--deselect", "test_chain.py::test_one")

    assert run.results["verdict"] == "NO-GO"
    assert run.results["reason"] == "OC-01 not run"


def test_item_without_test_is_not_covered_and_fails_the_run(suite: Suite) -> None:
    suite.catalogue(OC_01=True, OC_02=True, OC_08=True)
    suite.pytester.makepyfile(test_chain=TWO_PASSING)

    run = suite.run()

    run.result.assert_outcomes(passed=2)
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    assert run.item("OC-08")["status"] == "not covered"
    assert run.checklist.startswith("# NO-GO — OC-08 not covered\n")


def test_fail_once_then_pass_is_flaky_with_both_attempts(suite: Suite) -> None:
    suite.catalogue(OC_01=True)
    suite.pytester.makepyfile(test_flaky=FLAKY)

    run = suite.run("--reruns", "1")

    assert run.result.ret == pytest.ExitCode.OK
    test = run.test("test_flaky")
    assert test["status"] == "flaky"
    assert [a["outcome"] for a in test["attempts"]] == ["failed", "passed"]
    assert test["attempts"][0]["rerun"] is True
    assert "first attempt fails" in test["attempts"][0]["error"]
    assert run.results["verdict"] == "GO WITH WARNINGS"
    assert run.checklist.startswith("# GO WITH WARNINGS — OC-01 flaky\n")
    assert "| OC-01 | Title of OC_01 | required | **FLAKY** | 1 / 2 |" in run.checklist


def test_flaky_test_keeps_its_failed_attempt_in_junit(suite: Suite) -> None:
    suite.catalogue(OC_01=True)
    suite.pytester.makepyfile(test_flaky=FLAKY)

    run = suite.run("--reruns", "1")

    assert '<flakyFailure message="AssertionError: first attempt fails' in run.junit
    assert "<failure" not in run.junit.split('name="test_flaky"')[1].split("</testcase>")[0]


def test_fail_on_warnings_turns_flaky_into_a_failing_exit(suite: Suite) -> None:
    suite.catalogue(OC_01=True)
    suite.pytester.makepyfile(test_flaky=FLAKY)

    run = suite.run("--reruns", "1", "--fail-on-warnings")

    assert run.results["verdict"] == "GO WITH WARNINGS"
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED


def test_test_failing_every_attempt_has_rerun_failures_in_junit(suite: Suite) -> None:
    suite.catalogue(OC_01=True)
    suite.pytester.makepyfile(
        test_broken="""
import pytest

@pytest.mark.checklist("OC-01")
def test_broken():
    assert False, "always"
"""
    )

    run = suite.run("--reruns", "2")

    assert [a["outcome"] for a in run.test("test_broken")["attempts"]] == ["failed"] * 3
    assert run.junit.count("<rerunFailure") == 2
    assert run.checklist.startswith("# NO-GO — OC-01 failed\n")


def test_server_death_makes_a_test_blocked_not_failed(suite: Suite) -> None:
    suite.catalogue(OC_01=True, OC_02=True)
    suite.pytester.makepyfile(
        test_blocked="""
import pytest
from reports import runinfo

@pytest.mark.checklist("OC-01")
def test_needs_backend(request):
    runinfo.mark_blocked(request.node, "backend exited with code 3")
    pytest.fail("blocked: backend exited with code 3", pytrace=False)

@pytest.mark.checklist("OC-02")
def test_fine():
    pass
"""
    )

    run = suite.run()

    assert run.test("test_needs_backend")["status"] == "blocked"
    assert run.item("OC-01")["status"] == "blocked"
    # The headline names why (issue 10, #6), and says "blocked" once, never "blocked: blocked:".
    assert run.checklist.startswith("# NO-GO — OC-01 blocked (backend exited with code 3)\n")
    assert "blocked: blocked:" not in run.checklist


def test_advisory_failure_gives_go_with_warnings(suite: Suite) -> None:
    suite.catalogue(OC_01=True, API_09=False)
    suite.pytester.makepyfile(
        test_mixed="""
import pytest

@pytest.mark.checklist("OC-01")
def test_required():
    pass

@pytest.mark.checklist("API-09")
def test_advisory():
    assert False, "sentry sink saw nothing"
"""
    )

    run = suite.run()

    assert run.results["verdict"] == "GO WITH WARNINGS"
    assert run.results["reason"] == "API-09 (advisory) failed"
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED  # pytest's own: a test failed


def test_unknown_checklist_id_is_a_collection_error(suite: Suite) -> None:
    suite.catalogue(OC_01=True)
    suite.pytester.makepyfile(
        test_typo="""
import pytest

@pytest.mark.checklist("OC-99")
def test_typo():
    pass
"""
    )

    run = suite.run()

    assert run.result.ret == pytest.ExitCode.INTERRUPTED
    run.result.stdout.fnmatch_lines(["*test_typo.py::test_typo: unknown checklist id(s) OC-99*"])


def test_run_without_acceptance_tests_writes_nothing(suite: Suite) -> None:
    suite.catalogue(OC_01=True)
    suite.pytester.makepyfile(test_plain="def test_plain():\n    pass\n")

    run = suite.run()

    assert run.result.ret == pytest.ExitCode.OK
    assert not run.out.exists()


def test_qe_results_option_forces_a_report(suite: Suite) -> None:
    suite.catalogue(OC_01=True)
    suite.pytester.makepyfile(test_plain="def test_plain():\n    pass\n")

    run = suite.run("--qe-results", "reports/out/results.json")

    assert run.results["verdict"] == "NO-GO"
    assert run.results["reason"] == "OC-01 not covered"


def test_harness_check_becomes_a_test_of_its_item(suite: Suite) -> None:
    suite.catalogue(OC_01=True, ENV_04=True)
    suite.pytester.makeconftest(
        """
from reports import runinfo

def pytest_sessionfinish(session):
    runinfo.record_check(session.config, "ENV-04", False, "port 8001 still listening (pid 42)")
"""
    )
    suite.pytester.makepyfile(
        test_ok='import pytest\n\n@pytest.mark.checklist("OC-01")\ndef test_ok():\n    pass\n'
    )

    run = suite.run()

    check = run.test("harness::ENV-04")
    assert (check["items"], check["status"]) == (["ENV-04"], "fail")
    assert run.checklist.startswith("# NO-GO — ENV-04 failed\n")
    assert "port 8001 still listening (pid 42)" in run.checklist
