"""The whole self-test as tests: the clean app gives GO (a whole run), each shipped regression
its expected verdict with its expected items failed (a partial run of its items). Slow (one
acceptance run each); ``-m "not slow"`` leaves them out."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.selftest import runner

pytestmark = pytest.mark.slow

REGRESSIONS = runner.load_regressions()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for every run of the module, so they share compiled bytecode (runner.run_one)."""
    workdir = tmp_path_factory.mktemp("selftest")
    problem = runner.suite_problem(pycache=workdir / "pycache")
    assert problem is None, problem
    return workdir


def _explain(row: runner.Judgement, workdir: Path) -> str:
    log = workdir / row.name / "out" / "pytest.log"
    return f"\n{runner.format_table([row])}\nsuite output: {log}"


def test_the_clean_app_gives_go(workdir: Path) -> None:
    row = runner.run_one(runner.CLEAN, None, (), workdir)

    assert row.ok, _explain(row, workdir)


@pytest.mark.parametrize("regression", REGRESSIONS, ids=lambda r: r.name)
def test_the_suite_catches_the_regression(workdir: Path, regression: runner.Regression) -> None:
    row = runner.run_one(
        regression.name,
        regression.patch,
        regression.expected_items,
        workdir,
        force_reruns=runner.REGRESSION_RERUNS,
        expected_verdict=regression.expected_verdict,
        items=regression.items,
    )

    assert row.ok, _explain(row, workdir)
