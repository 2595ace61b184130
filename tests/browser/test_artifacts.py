"""Per-attempt artifacts, evidence and allure attachments, in real pytest subprocess runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.site import LocalSite
from tests.browser.synthetic import SyntheticRun, evidence_per_attempt, run_synthetic

FLAKY_TEST = """
def test_flaky(page, request):
    page.goto("/")
    assert request.node.execution_count >= 2, "fails on the first attempt only"
"""

TWICE_FAILING_TEST = """
def test_flaky(page, request):
    page.goto("/")
    assert request.node.execution_count >= 3, "fails on the first two attempts"
"""

PASSING_TEST = """
def test_passes(page):
    page.goto("/")
    assert page.inner_text("h1") == "local site"
"""

FAILING_TEST = """
def test_fails(page):
    page.goto("/")
    assert page.inner_text("h1") == "another site"
"""

NO_BROWSER_TEST = """
def test_plain():
    assert 1 + 1 == 2
"""

SLUG = "test-synthetic-py-test-flaky-chromium"


@pytest.fixture(scope="module")
def flaky_run(tmp_path_factory: pytest.TempPathFactory, local_site: LocalSite) -> SyntheticRun:
    """One run of a test that fails on its first attempt and passes on the rerun."""
    tmp_path = tmp_path_factory.mktemp("flaky")
    return run_synthetic(
        tmp_path / "project",
        FLAKY_TEST,
        "--reruns",
        "1",
        f"--alluredir={tmp_path / 'allure-results'}",
        site=local_site,
    )


def test_the_flaky_test_passes_on_its_rerun(flaky_run: SyntheticRun) -> None:
    assert flaky_run.returncode == 0, flaky_run.output
    assert "1 passed, 1 rerun" in flaky_run.output


def test_a_failed_first_attempt_keeps_its_trace(flaky_run: SyntheticRun) -> None:
    # The lean policy: every attempt is traced (the trace holds the screencast frames), video
    # starts with the first rerun.
    attempt_1 = flaky_run.artifacts_dir() / SLUG / "attempt-1"
    assert sorted(p.name for p in attempt_1.iterdir()) == ["trace.zip"]


def test_a_failed_rerun_keeps_trace_and_video(tmp_path: Path, local_site: LocalSite) -> None:
    run = run_synthetic(tmp_path, TWICE_FAILING_TEST, "--reruns", "2", site=local_site)

    assert run.returncode == 0, run.output
    folder = run.artifacts_dir() / SLUG
    assert sorted(p.name for p in (folder / "attempt-1").iterdir()) == ["trace.zip"]
    assert sorted(p.name for p in (folder / "attempt-2").iterdir()) == ["trace.zip", "video.webm"]
    assert not (folder / "attempt-3").exists()


@pytest.mark.parametrize("flag", [["--evidence", "full"], ["--video", "retain-on-failure"]])
def test_video_on_every_attempt_is_one_flag_away(
    tmp_path: Path, local_site: LocalSite, flag: list[str]
) -> None:
    run = run_synthetic(tmp_path, FLAKY_TEST, "--reruns", "1", *flag, site=local_site)

    assert run.returncode == 0, run.output
    kept = sorted(p.name for p in (run.artifacts_dir() / SLUG / "attempt-1").iterdir())
    expected = ["trace.zip", "video.webm"]
    assert kept == (["test-failed-1.png", *expected] if "full" in flag else expected)


def test_a_passing_rerun_adds_no_artifacts_of_its_own(flaky_run: SyntheticRun) -> None:
    assert sorted(p.name for p in (flaky_run.artifacts_dir() / SLUG).iterdir()) == ["attempt-1"]


def test_each_kept_artifact_is_evidence_of_its_attempt(flaky_run: SyntheticRun) -> None:
    first, second = evidence_per_attempt(flaky_run.reports)
    prefix = f"reports/out/artifacts/{SLUG}/attempt-1"
    assert sorted(first) == [["trace", f"{prefix}/trace.zip"]]
    assert second == []


def test_artifacts_are_attached_to_allure_with_their_types(flaky_run: SyntheticRun) -> None:
    allure_dir = flaky_run.project.parent / "allure-results"
    attachments = [
        (attachment["name"], attachment["type"])
        for result_file in allure_dir.glob("*-result.json")
        for attachment in json.loads(result_file.read_text()).get("attachments", [])
    ]
    assert sorted(attachments) == [
        ("trace (attempt 1)", "application/vnd.allure.playwright-trace"),
    ]


def test_a_passing_test_keeps_no_artifacts(tmp_path: Path, local_site: LocalSite) -> None:
    run = run_synthetic(tmp_path, PASSING_TEST, site=local_site)
    assert run.returncode == 0, run.output
    assert not run.artifacts_dir().exists() or not any(run.artifacts_dir().rglob("*.*"))
    assert evidence_per_attempt(run.reports) == [[]]


def test_the_users_playwright_flags_still_decide(tmp_path: Path, local_site: LocalSite) -> None:
    run = run_synthetic(
        tmp_path,
        FAILING_TEST,
        "--tracing",
        "off",
        "--screenshot",
        "only-on-failure",
        site=local_site,
    )
    assert run.returncode == 1, run.output
    attempt_1 = run.artifacts_dir() / "test-synthetic-py-test-fails-chromium" / "attempt-1"
    assert [p.name for p in attempt_1.iterdir()] == ["test-failed-1.png"]


def test_the_users_output_folder_is_used(tmp_path: Path, local_site: LocalSite) -> None:
    output = tmp_path / "elsewhere"
    run = run_synthetic(
        tmp_path / "project", FAILING_TEST, "--output", str(output), site=local_site
    )
    assert run.returncode == 1, run.output
    assert (output / "test-synthetic-py-test-fails-chromium" / "attempt-1" / "trace.zip").exists()


def test_the_browser_used_is_printed(tmp_path: Path, local_site: LocalSite) -> None:
    run = run_synthetic(tmp_path, PASSING_TEST, site=local_site)
    assert run.returncode == 0, run.output
    assert "browser: system Chromium at " in run.output or "browser: Playwright's own" in run.output
    assert ", version " in run.output


def test_the_browser_used_is_printed_under_xdist(tmp_path: Path, local_site: LocalSite) -> None:
    run = run_synthetic(tmp_path, PASSING_TEST, "-n", "2", site=local_site)
    assert run.returncode == 0, run.output
    assert "browser: system Chromium at " in run.output or "browser: Playwright's own" in run.output


def no_browser_env(tmp_path: Path) -> dict[str, str]:
    empty = tmp_path / "empty"
    empty.mkdir()
    return {"PATH": str(empty), "PLAYWRIGHT_BROWSERS_PATH": str(empty)}


def test_without_a_browser_browser_tests_stop_before_running_with_how_to_get_one(
    tmp_path: Path, local_site: LocalSite
) -> None:
    run = run_synthetic(
        tmp_path / "project", PASSING_TEST, site=local_site, env=no_browser_env(tmp_path)
    )
    assert run.returncode == 4, run.output
    assert "apt-get install chromium" in run.output
    assert "playwright install chromium" in run.output
    assert run.reports == []


def test_without_a_browser_other_tests_still_run(tmp_path: Path) -> None:
    run = run_synthetic(tmp_path / "project", NO_BROWSER_TEST, env=no_browser_env(tmp_path))
    assert run.returncode == 0, run.output
