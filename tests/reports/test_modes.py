"""Run modes: nightly keeps a history and shows a trend, release adds the sign-off table;
and under xdist one results.json still holds every attempt."""

from __future__ import annotations

import pytest

from tests.reports.conftest import Suite

pytest_plugins = ["pytester"]

# Fails as many first attempts as budget.txt says, so each nightly run can be told its fate.
BUDGETED = """
import pathlib
import pytest

@pytest.mark.checklist("OC-01")
def test_budgeted():
    budget = pathlib.Path("budget.txt")
    left = int(budget.read_text()) if budget.exists() else 0
    if left:
        budget.write_text(str(left - 1))
        pytest.fail("budgeted failure", pytrace=False)

@pytest.mark.checklist("OC-02")
def test_steady():
    pass
"""


def test_nightly_runs_build_a_trend_and_flake_rate(suite: Suite) -> None:
    suite.catalogue(OC_01=True, OC_02=True)
    suite.pytester.makepyfile(test_nightly=BUDGETED)
    for budget in (0, 1, 0):
        (suite.path / "budget.txt").write_text(str(budget))
        run = suite.run("--run-mode", "nightly", "--history-dir", "history", "--reruns", "1")

    assert len(list((suite.path / "history").glob("*.json"))) == 3
    trend = run.results["history"]["items"]["OC-01"]
    assert trend["trend"] == "P ~ P"
    assert (trend["flaky"], trend["ran"]) == (1, 3)
    assert "| OC-01 | Title of OC_01 | `P ~ P` | 1/3 (33%) |" in run.checklist
    assert "| OC-02 | Title of OC_02 | `P P P` | 0/3 (0%) |" in run.checklist


def test_ci_run_keeps_no_history(suite: Suite) -> None:
    suite.catalogue(OC_01=True, OC_02=True)
    suite.pytester.makepyfile(test_nightly=BUDGETED)

    run = suite.run("--history-dir", "history")

    assert not (suite.path / "history").exists()
    assert "history" not in run.results


def test_release_run_adds_an_unsigned_signoff_block(suite: Suite) -> None:
    suite.catalogue(OC_01=True, OC_02=True)
    suite.pytester.makepyfile(test_release=BUDGETED)

    run = suite.run("--run-mode", "release", "--release", "1.4.0")

    assert run.results["run"]["release"] == "1.4.0"
    signoff = run.checklist.split("## Sign-off\n", 1)[1]
    assert "**Awaiting sign-off.**" in signoff
    assert "| | QE lead | | |" in signoff
    assert "| | Engineering | | |" in signoff
    assert "| | Product / Release manager | | |" in signoff
    assert run.checklist.splitlines()[2].startswith("Release **1.4.0** · release run")


def test_signed_off_by_fills_one_approver_line_each(suite: Suite) -> None:
    suite.catalogue(OC_01=True, OC_02=True)
    suite.pytester.makepyfile(test_release=BUDGETED)

    run = suite.run(
        "--release",
        "1.4.0",
        "--signed-off-by",
        "Ada Lovelace <QE lead>",
        "--signed-off-by",
        "Grace Hopper <Release manager>",
    )

    signoff = run.checklist.split("## Sign-off\n", 1)[1]
    verdict = run.results["verdict"]
    date = run.results["run"]["finished_at"][:10]
    assert f"| Ada Lovelace | QE lead | {date} | {verdict} |" in signoff
    assert f"| Grace Hopper | Release manager | {date} | {verdict} |" in signoff
    assert "Awaiting" not in signoff


def test_a_signer_without_a_role_is_a_usage_error(suite: Suite) -> None:
    suite.catalogue(OC_01=True)
    suite.pytester.makepyfile(test_release=BUDGETED)

    run = suite.run("--release", "1.4.0", "--signed-off-by", "Ada Lovelace")

    assert run.result.ret == pytest.ExitCode.USAGE_ERROR
    run.result.stderr.fnmatch_lines(['*expected "Name <role>"*'])


def test_release_mode_without_a_name_is_a_usage_error(suite: Suite) -> None:
    suite.catalogue(OC_01=True)
    suite.pytester.makepyfile(test_release=BUDGETED)

    run = suite.run("--run-mode", "release")

    assert run.result.ret == pytest.ExitCode.USAGE_ERROR


def test_release_mode_from_the_environment_leaves_other_runs_alone(
    suite: Suite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QE_RUN_MODE", "release")
    suite.catalogue(OC_01=True)
    suite.pytester.makepyfile(test_plain="def test_plain():\n    pass\n")

    run = suite.run()

    assert run.result.ret == pytest.ExitCode.OK
    assert not run.out.exists()


def test_xdist_run_writes_one_results_file_with_every_attempt(suite: Suite) -> None:
    suite.catalogue(OC_01=True, OC_02=True, OC_03=True)
    suite.pytester.makepyfile(
        test_a=BUDGETED,
        test_b='import pytest\n\n@pytest.mark.checklist("OC-03")\n'
        "@pytest.mark.parametrize('n', range(4))\ndef test_many(n):\n    pass\n",
    )
    (suite.path / "budget.txt").write_text("1")

    run = suite.run("-n", "2", "--reruns", "1")

    assert [p.name for p in suite.path.rglob("results.json")] == ["results.json"]
    tests = {t["nodeid"]: t for t in run.results["tests"]}
    assert len(tests) == 6
    budgeted = tests["test_a.py::test_budgeted"]
    assert [a["outcome"] for a in budgeted["attempts"]] == ["failed", "passed"]
    assert budgeted["items"] == ["OC-01"]
    assert {a["worker"] for t in tests.values() for a in t["attempts"]} <= {"gw0", "gw1"}
    assert run.results["verdict"] == "GO WITH WARNINGS"
    assert run.results["run"]["workers"] == 2


def test_xdist_deselection_still_renders_no_go(suite: Suite) -> None:
    suite.catalogue(OC_01=True, OC_02=True)
    suite.pytester.makepyfile(test_a=BUDGETED)

    run = suite.run("-n", "2", "-k", "not steady")

    assert run.results["reason"] == "OC-02 not run"
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED


def test_release_mode_itself_fails_on_warnings(suite: Suite) -> None:
    # The rule lives in the mode (reports/modes.py), not in a flag the Makefile has to pass.
    suite.catalogue(OC_01=True, OC_02=True)
    suite.pytester.makepyfile(test_release=BUDGETED)
    (suite.path / "budget.txt").write_text("1")

    run = suite.run("--release", "1.4.0", "--reruns", "1")

    assert run.results["verdict"] == "GO WITH WARNINGS"
    assert run.results["run"]["run_mode"] == "release"
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED


def test_ci_mode_passes_with_warnings_unless_asked(suite: Suite) -> None:
    suite.catalogue(OC_01=True, OC_02=True)
    suite.pytester.makepyfile(test_ci=BUDGETED)
    (suite.path / "budget.txt").write_text("1")
    warned = suite.run("--reruns", "1")
    (suite.path / "budget.txt").write_text("1")
    strict = suite.run("--reruns", "1", "--fail-on-warnings")

    assert warned.results["verdict"] == strict.results["verdict"] == "GO WITH WARNINGS"
    assert warned.result.ret == pytest.ExitCode.OK
    assert strict.result.ret == pytest.ExitCode.TESTS_FAILED
