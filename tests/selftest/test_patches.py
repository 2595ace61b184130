"""Fast checks of the self-test's inputs and logic: the patches still apply, the verdicts are read
right. These run in every ``make test``, so a change to the app that rots a patch shows at once."""

from __future__ import annotations

import re
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from reports import catalogue
from tests.selftest import runner

REGRESSIONS = runner.load_regressions()
REQUIRED_ITEMS = {item.id for item in catalogue.load() if item.required}
ITEMS = {item.id for item in catalogue.load()}


def _results(
    verdict: str, statuses: dict[str, str], advisory: tuple[str, ...] = ()
) -> dict[str, Any]:
    items = [
        {"id": item_id, "status": status, "required": item_id not in advisory}
        for item_id, status in statuses.items()
    ]
    return {"verdict": verdict, "reason": "because", "items": items}


def test_at_least_eight_regressions_ship() -> None:
    assert len(REGRESSIONS) >= 8


@pytest.mark.parametrize("regression", REGRESSIONS, ids=lambda r: r.name)
def test_expected_items_are_required_checklist_items(regression: runner.Regression) -> None:
    # A NO-GO regression is caught by required items; a GO WITH WARNINGS one by advisory items.
    assert regression.expected_items
    if regression.expected_verdict == runner.NO_GO:
        assert set(regression.expected_items) <= REQUIRED_ITEMS
    else:
        assert not set(regression.expected_items) & REQUIRED_ITEMS


@pytest.mark.parametrize("regression", REGRESSIONS, ids=lambda r: r.name)
def test_patch_touches_only_the_app(regression: runner.Regression) -> None:
    paths = runner.patched_paths(regression.patch)

    assert paths
    assert all(path.split("/", 1)[0] in runner.APP_DIRS for path in paths), paths


@pytest.mark.parametrize("regression", REGRESSIONS, ids=lambda r: r.name)
def test_patch_applies_cleanly_to_the_current_app(
    regression: runner.Regression, tmp_path: Path
) -> None:
    app = runner.copy_app(tmp_path / "app")

    runner.apply_patch(app, regression.patch)

    for path in runner.patched_paths(regression.patch):
        assert (app / path).read_bytes() != (runner.REPO_ROOT / path).read_bytes(), path


@pytest.mark.parametrize("regression", REGRESSIONS, ids=lambda r: r.name)
def test_patched_python_still_compiles(regression: runner.Regression, tmp_path: Path) -> None:
    # A regression must be a bug the suite finds, not a copy that cannot even start.
    app = runner.copy_app(tmp_path / "app")
    runner.apply_patch(app, regression.patch)

    for path in runner.patched_paths(regression.patch):
        if path.endswith(".py"):
            compile((app / path).read_text(), path, "exec")


def test_a_patch_that_no_longer_matches_is_refused(tmp_path: Path) -> None:
    app = runner.copy_app(tmp_path / "app")
    regression = REGRESSIONS[0]
    runner.apply_patch(app, regression.patch)

    with pytest.raises(runner.PatchError, match=regression.patch.name):
        runner.apply_patch(app, regression.patch, check_only=True)


def test_the_copy_holds_only_the_app_without_bytecode(tmp_path: Path) -> None:
    app = runner.copy_app(tmp_path / "app")

    assert sorted(p.name for p in app.iterdir()) == sorted(runner.APP_DIRS)
    assert not list(app.rglob("__pycache__"))
    assert (app / "backend" / "main.py").is_file()


def test_the_suite_runs_from_the_repo_against_the_copy(tmp_path: Path) -> None:
    command = runner.acceptance_command(tmp_path / "app", tmp_path / "out", force_reruns=1)

    assert command[1:4] == ["-m", "pytest", "acceptance"]
    assert command[command.index("--app-dir") + 1] == str(tmp_path / "app")
    assert command[command.index("--qe-out") + 1] == str(tmp_path / "out")
    assert "--free-ports" in command
    assert command[command.index("--force-reruns") + 1] == "1"


def test_a_caught_regression_is_ok() -> None:
    results = _results("NO-GO", {"OC-07": "fail", "OC-02": "fail", "OC-01": "pass"})

    row = runner.judge("swap", None, results, ["OC-07", "OC-02"])

    assert row.ok
    assert row.failed == ("OC-07", "OC-02")


def test_a_regression_failing_other_items_only_is_missed() -> None:
    results = _results("NO-GO", {"OC-07": "pass", "OC-01": "fail"})

    row = runner.judge("swap", None, results, ["OC-07"])

    assert not row.ok
    assert "OC-07" in row.note


def test_a_flaky_expected_item_does_not_count_as_caught() -> None:
    results = _results("NO-GO", {"OC-07": "flaky", "API-03": "fail"})

    assert not runner.judge("swap", None, results, ["OC-07"]).ok


def test_a_regression_run_without_results_is_an_error() -> None:
    row = runner.judge("swap", None, None, ["OC-07"])

    assert row.verdict == "ERROR"
    assert not row.ok


def test_the_clean_copy_must_give_go() -> None:
    assert runner.judge("clean", None, _results("GO", {"OC-01": "pass"}), []).ok
    assert not runner.judge("clean", None, _results("NO-GO", {"OC-01": "fail"}), []).ok


def test_clean_warnings_are_accepted_only_from_advisory_items() -> None:
    advisory = _results("GO WITH WARNINGS", {"OC-01": "pass", "ENV-05": "fail"}, ("ENV-05",))
    flaky = _results("GO WITH WARNINGS", {"OC-01": "flaky", "ENV-05": "pass"}, ("ENV-05",))

    assert runner.judge("clean", None, advisory, []).ok
    assert not runner.judge("clean", None, flaky, []).ok


def test_the_table_names_what_caught_each_regression() -> None:
    rows = [
        runner.judge("clean", None, _results("GO", {"OC-01": "pass"}), []),
        runner.judge("swap", None, _results("NO-GO", {"OC-07": "fail"}), ["OC-07"]),
        runner.judge("gap", None, _results("NO-GO", {"OC-01": "fail"}), ["API-07"]),
    ]

    lines = runner.format_table(rows).splitlines()

    assert lines[0].split()[:2] == ["regression", "verdict"]
    assert lines[3].split()[:5] == ["swap", "NO-GO", "OC-07", "OC-07", "OK"]
    assert "MISSED" in lines[4]


def test_the_runner_lists_the_regressions() -> None:
    done = subprocess.run(
        [runner.sys.executable, "-m", "tests.selftest", "--list"],
        cwd=runner.REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    assert [line.split()[0] for line in done.stdout.splitlines()] == [r.name for r in REGRESSIONS]


def test_a_run_that_imported_the_copy_is_recognised(tmp_path: Path) -> None:
    app, pycache = tmp_path / "app", tmp_path / "pycache"
    mirror = pycache / app.resolve().relative_to(app.resolve().anchor)
    for name in runner.APP_DIRS:
        (mirror / name).mkdir(parents=True)

    assert runner.copy_was_run(app, pycache)


def test_servers_that_wrote_bytecode_into_the_copy_count_as_running_it(tmp_path: Path) -> None:
    # Servers started with a minimal environment (no PYTHONPYCACHEPREFIX) compile in place.
    app = runner.copy_app(tmp_path / "app")
    for name in runner.APP_DIRS:
        (app / name / "__pycache__").mkdir()

    assert runner.copy_was_run(app, tmp_path / "pycache")


def test_a_run_that_imported_the_repository_instead_is_caught(tmp_path: Path) -> None:
    app, pycache = tmp_path / "app", tmp_path / "pycache"
    mirror = pycache / runner.REPO_ROOT.relative_to(runner.REPO_ROOT.anchor)
    for name in runner.APP_DIRS:
        (mirror / name).mkdir(parents=True)

    assert not runner.copy_was_run(app, pycache)


def test_patches_apply_with_git_where_patch_is_not_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    which = runner.shutil.which
    monkeypatch.setattr(
        runner.shutil, "which", lambda name: None if name == "patch" else which(name)
    )
    app = runner.copy_app(tmp_path / "app")

    for regression in REGRESSIONS[:2]:
        runner.apply_patch(app, regression.patch)

    path = runner.patched_paths(REGRESSIONS[0].patch)[0]
    assert (app / path).read_bytes() != (runner.REPO_ROOT / path).read_bytes()


def test_runs_go_in_parallel_and_rows_keep_the_plan_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two runs must be under way at once to pass the barrier; one at a time would break it.
    both_running = threading.Barrier(2, timeout=10)
    second_done = threading.Event()

    def fake_run_one(name: str, patch: Path | None, expected: Any, workdir: Path, **_: Any):
        both_running.wait()
        if name == "first":  # finishes last
            assert second_done.wait(timeout=10)
        row = runner.Judgement(name, "NO-GO", tuple(expected), tuple(expected), True)
        second_done.set()
        return row

    monkeypatch.setattr(runner, "run_one", fake_run_one)
    plan = [
        runner.Regression("first", None, "", ("API-01",)),
        runner.Regression("second", None, "", ("API-02",)),
    ]

    rows = runner.run_plan(plan, tmp_path, jobs=2)

    assert [row.name for row in rows] == ["first", "second"]


def test_an_interrupt_stops_every_run_under_way(tmp_path: Path) -> None:
    procs = [subprocess.Popen(["sleep", "60"], start_new_session=True) for _ in range(2)]
    try:
        for proc in procs:
            runner._running.add(proc.pid)

        runner.stop_running_runs(grace_s=0.5)

        assert all(proc.wait(timeout=10) != 0 for proc in procs)
    finally:
        for proc in procs:
            runner._running.discard(proc.pid)
            if proc.poll() is None:
                proc.kill()


def test_an_advisory_regression_must_give_go_with_warnings_with_its_item_failed() -> None:
    caught = _results("GO WITH WARNINGS", {"OC-02": "pass", "PERF-01": "fail"}, ("PERF-01",))
    missed = _results("GO", {"OC-02": "pass", "PERF-01": "pass"}, ("PERF-01",))
    broke = _results("NO-GO", {"OC-02": "fail", "PERF-01": "fail"}, ("PERF-01",))

    assert runner.judge("debounce", None, caught, ["PERF-01"], runner.WARN).ok
    assert not runner.judge("debounce", None, missed, ["PERF-01"], runner.WARN).ok
    row = runner.judge("debounce", None, broke, ["PERF-01"], runner.WARN)
    assert not row.ok
    assert "verdict NO-GO" in row.note


def test_the_catalogue_of_regressions_names_each_expected_verdict() -> None:
    verdicts = {r.name: r.expected_verdict for r in runner.load_regressions()}

    assert verdicts["expiration-debounce"] == runner.WARN
    assert verdicts["calls-puts-swapped"] == runner.NO_GO


@pytest.mark.parametrize("regression", REGRESSIONS, ids=lambda r: r.name)
def test_every_item_a_regression_runs_is_in_the_catalogue(regression: runner.Regression) -> None:
    assert set(regression.items) <= ITEMS
    assert regression.items[: len(regression.expected_items)] == regression.expected_items


def test_regressions_run_only_their_items_and_the_clean_app_runs_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: dict[str, Any] = {}

    def fake_run_one(name: str, patch: Path | None, expected: Any, workdir: Path, **kw: Any):
        asked[name] = kw
        return runner.Judgement(name, "NO-GO", tuple(expected), tuple(expected), True)

    monkeypatch.setattr(runner, "run_one", fake_run_one)
    token = runner.Regression("token", None, "", ("API-08",), also_run=("OC-01",))

    runner.run_plan([runner.CLEAN_RUN, token], tmp_path, jobs=1)
    whole = dict(asked)
    runner.run_plan([token], tmp_path, jobs=1, partial=False)

    assert whole["clean"]["items"] is None
    assert whole["clean"]["force_reruns"] is None
    assert whole["token"]["items"] == ("API-08", "OC-01")
    assert asked["token"]["items"] is None
    assert runner.partial_args(("API-08", "OC-01")) == [
        "--items",
        "API-08,OC-01",
        "--evidence",
        "lean",
    ]


def test_also_run_is_read_from_the_catalogue_of_regressions(tmp_path: Path) -> None:
    listed = tmp_path / "regressions.toml"
    listed.write_text(
        '[[regression]]\nname = "token"\npatch = "token.patch"\nexpected_items = ["API-08"]\n'
        'also_run = ["OC-01"]\n'
    )

    (token,) = runner.load_regressions(listed)

    assert token.also_run == ("OC-01",)
    assert token.items == ("API-08", "OC-01")


def test_an_expected_item_not_selected_or_not_run_is_a_miss_named_with_its_status() -> None:
    results = _results("NO-GO", {"OC-07": "not selected", "API-11": "not run", "API-03": "fail"})

    row = runner.judge("swap", None, results, ["OC-07", "API-11", "API-03"])

    assert not row.ok
    assert row.note == "not failed: OC-07 (not selected), API-11 (not run)"


def test_the_readme_table_lists_every_regression_with_its_items() -> None:
    readme = (runner.SELFTEST_DIR / "README.md").read_text()
    table = readme.split("| regression | layer |", 1)[1].split("\n\n", 1)[0]
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in table.splitlines()[2:]
        if line.startswith("| ")
    ]
    ids = re.compile(r"[A-Z0-9]+-\d+")

    table = {row[0]: (tuple(ids.findall(row[2])), tuple(ids.findall(row[3]))) for row in rows}

    assert table == {r.name: (r.expected_items, r.also_run) for r in REGRESSIONS}


def test_the_suite_is_checked_once_before_the_runs(tmp_path: Path) -> None:
    # Collects the real suite with --app-dir, compiling what every run loads into the cache.
    assert runner.suite_problem(pycache=tmp_path / "pycache") is None
    assert list((tmp_path / "pycache").rglob("test_api_fuzz*.pyc"))


@pytest.mark.parametrize(
    ("output", "problem"),
    [
        (
            "ERROR: usage: pytest [options]\npytest: error: unrecognized arguments: --app-dir",
            "the acceptance harness has no --app-dir option",
        ),
        (
            "ERROR: checklist catalogue: item id OC-01 is listed twice",
            "the acceptance suite does not collect (exit 4): ERROR: checklist catalogue:",
        ),
    ],
)
def test_a_suite_that_cannot_run_a_copy_is_named_before_any_run(
    monkeypatch: pytest.MonkeyPatch, output: str, problem: str
) -> None:
    failed = subprocess.CompletedProcess([], 4, stdout="", stderr=output)
    monkeypatch.setattr(runner.subprocess, "run", lambda *a, **k: failed)

    assert (runner.suite_problem() or "").startswith(problem)
