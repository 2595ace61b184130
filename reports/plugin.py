"""Results plugin: records every attempt of every test and writes the run's verdict.

Registered for every pytest run from the root conftest, it only acts in acceptance runs: when a
collected (or deselected) test lives under ``<rootdir>/acceptance/`` or carries a ``checklist``
marker, or when ``--qe-results`` is given. Then, at the end of the session, it writes into the
output folder (``--qe-out``, default ``reports/out``): ``results.json``, ``junit.xml`` and
``QE_ACCEPTANCE_CHECKLIST.md``; allure-pytest writes ``allure-results/`` there too. Every output
is then scanned for the run's secrets; a hit, like any NO-GO, makes pytest exit non-zero.

Under xdist the controller does the writing: test reports reach it through
``pytest_runtest_logreport``, and each worker sends what only it knows (collected and deselected
tests with their checklist ids, run facts, secrets, harness checks) in ``workeroutput``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from reports import catalogue as catalogue_mod
from reports import checklist, history, junit, leaks, modes, runinfo, selection
from reports.redaction import Redactor
from reports.results import build, headline, redact

_WORKEROUTPUT_KEY = "qe_results"
_PLUGIN_DISTRIBUTIONS = (
    "pytest-xdist",
    "pytest-rerunfailures",
    "allure-pytest",
    "pytest-playwright",
    "playwright",
    "pytest-xprocess",
    "pytest-base-url",
)
# Enough of a failure to see where it broke; the whole text is in junit.xml and allure-results.
_DETAIL_LINES = 60
# What writing the results takes at most on a loaded machine, kept free at an interrupted run's end.
_WRITE_RESERVE_S = 0.6
_CAPTURE_LINES = 20


@dataclass
class _State:
    root: Path
    out_dir: Path
    results_path: Path
    checklist_path: Path
    junit_path: Path
    history_dir: Path
    catalogue_path: Path
    mode: modes.RunMode
    release: str | None
    forced: bool
    started: float = field(default_factory=time.time)
    catalogue: list[catalogue_mod.CatalogueItem] | None = None
    known_ids: set[str] = field(default_factory=set)
    collected: dict[str, list[str]] = field(default_factory=dict)
    deselected: dict[str, list[str]] = field(default_factory=dict)
    acceptance: bool = False
    collect_errors: list[str] = field(default_factory=list)
    attempts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    props_seen: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    worker_facts: dict[str, Any] = field(default_factory=dict)
    worker_secrets: set[str] = field(default_factory=set)
    worker_checks: list[dict[str, Any]] = field(default_factory=list)
    git: dict[str, str | None] = field(default_factory=dict)
    # Results are written under this lock; once ``sealed`` (the interrupt watchdog wrote them and
    # is ending the process) nothing writes them again.
    write_lock: threading.RLock = field(default_factory=threading.RLock)
    sealed: bool = False
    written: bool = False
    allure_clean: bool = False
    # An acceptance run by its command line: what its end needs is prepared at its start.
    expected: bool = False

    def load_catalogue(self) -> list[catalogue_mod.CatalogueItem]:
        if self.catalogue is None:
            self.catalogue = catalogue_mod.load(self.catalogue_path)
            self.known_ids = {item.id for item in self.catalogue}
        return self.catalogue


state_key = pytest.StashKey[_State]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("qe", "QE acceptance harness")
    group.addoption(
        "--run-mode",
        choices=modes.NAMES,
        default=None,
        help="ci, nightly (history and trend) or release (sign-off table, warnings fail); env "
        "QE_RUN_MODE; default ci, release with --release (reports/modes.py)",
    )
    group.addoption("--release", default=None, help="release name; adds the sign-off table")
    group.addoption(
        "--signed-off-by",
        action="append",
        default=[],
        metavar='"NAME <ROLE>"',
        help="an approver of the release sign-off (repeatable); unsigned says awaiting sign-off",
    )
    group.addoption(
        "--history-dir",
        default=None,
        help="nightly results history (env QE_HISTORY_DIR; default reports/history, outside "
        "reports/out so cleaning outputs keeps it)",
    )
    group.addoption(
        "--checklist-out",
        default=None,
        help="where to render the checklist (default <qe-out>/QE_ACCEPTANCE_CHECKLIST.md)",
    )
    group.addoption(
        "--fail-on-warnings",
        action="store_true",
        default=False,
        help="exit non-zero on GO WITH WARNINGS too (NO-GO always does; release mode always "
        "fails on warnings)",
    )
    group.addoption(
        "--qe-out", default=None, help="output folder of an acceptance run (default reports/out)"
    )
    group.addoption(
        "--qe-results",
        default=None,
        help="write results.json here and act even if no acceptance test is collected",
    )
    group.addoption(
        "--qe-catalogue",
        default=None,
        help="checklist catalogue (default acceptance/checklist.toml)",
    )
    selection.add_option(group)


def run_mode(config: pytest.Config) -> modes.RunMode:
    """This run's mode (reports/modes.py), as the results plugin settled it."""
    return runinfo.run_mode(config)


def _path(config: pytest.Config, value: str | None, default: Path) -> Path:
    if value is None:
        return default
    return (config.invocation_params.dir / value).resolve()


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _targets_acceptance(config: pytest.Config, acceptance_dir: Path) -> bool:
    for arg in config.args:
        target = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if target == acceptance_dir or acceptance_dir in target.parents:
            return True
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "checklist(*ids): the checklist item(s) of acceptance/checklist.toml evidenced"
    )
    root = config.rootpath
    release = config.getoption("release")
    try:
        mode = modes.resolve(config.getoption("run_mode"), os.environ.get("QE_RUN_MODE"), release)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    target_mode = any(getattr(config.option, name, None) for name in ("base_url", "target"))
    if target_mode and (config.getoption("run_mode") == modes.RELEASE.name or release):
        raise pytest.UsageError(
            "a target run (--base-url/--target) is never a release sign-off: drop --run-mode "
            "release/--release, or sign off on a bundled run (make signoff)"
        )
    # Only the command line is strict: CI exports QE_RUN_MODE=release for the whole job, including
    # runs of the project's own tests that never render a sign-off.
    chosen = config.getoption("run_mode")
    if chosen is not None and modes.get(chosen).signoff and not release:
        raise pytest.UsageError(f"--run-mode {chosen} needs --release NAME")
    for signer in config.getoption("signed_off_by"):
        try:
            checklist.parse_signer(signer, "")
        except ValueError as exc:
            raise pytest.UsageError(str(exc)) from None
    out_dir = _path(config, config.getoption("qe_out"), root / runinfo.DEFAULT_OUT)
    runinfo.set_out_dir(config, out_dir)
    results_opt = config.getoption("qe_results")
    state = _State(
        root=root,
        out_dir=out_dir,
        results_path=_path(config, results_opt, out_dir / "results.json"),
        checklist_path=_path(
            config, config.getoption("checklist_out"), out_dir / checklist.CHECKLIST_NAME
        ),
        junit_path=out_dir / "junit.xml",
        history_dir=_path(
            config,
            config.getoption("history_dir") or os.environ.get("QE_HISTORY_DIR"),
            root / "reports" / "history",
        ),
        catalogue_path=_path(
            config, config.getoption("qe_catalogue"), catalogue_mod.DEFAULT_CATALOGUE
        ),
        mode=mode,
        release=release,
        forced=results_opt is not None,
    )
    config.stash[state_key] = state
    state.expected = state.forced or _targets_acceptance(config, root / "acceptance")
    if state.expected or config.getoption("qe_catalogue"):
        # Checked once, before anything starts: a broken catalogue is a usage error (one line,
        # exit 4), not a collection error repeated for every test module.
        try:
            state.load_catalogue()
        except catalogue_mod.CatalogueError as exc:
            raise pytest.UsageError(f"checklist catalogue: {exc}") from None
    selection.configure(config, mode.name, mode.partial_allowed, state.load_catalogue)
    if not config.pluginmanager.is_registered(selection):
        config.pluginmanager.register(selection, "qe-selection")
    runinfo.set_run_mode(config, mode)
    recorder = _Recorder(config, state)
    config.pluginmanager.register(recorder, "qe-results-recorder")
    if not _is_worker(config):
        runinfo.on_last_resort(config, recorder.last_resort)

    # allure-pytest reads its option in its own pytest_configure, which runs after this one.
    if getattr(config.option, "allure_report_dir", "absent") is None and state.expected:
        config.option.allure_report_dir = str(out_dir / "allure-results")
        # Only the controller cleans: xdist workers start later and share the folder.
        config.option.clean_alluredir = not _is_worker(config)
    elif _is_worker(config) and hasattr(config.option, "clean_alluredir"):
        config.option.clean_alluredir = False


def _checklist_ids(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for marker in item.iter_markers("checklist"):
        for value in marker.args:
            if value not in ids:
                ids.append(value)
    return ids


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> Any:
    result = yield
    made = result if isinstance(result, list) else [result]
    state = collector.config.stash[state_key]
    for item in made:
        if not isinstance(item, pytest.Item):
            continue
        ids = _checklist_ids(item)
        if not ids:
            continue
        try:
            state.load_catalogue()
        except catalogue_mod.CatalogueError as exc:
            raise collector.CollectError(str(exc)) from exc
        unknown = [i for i in ids if i not in state.known_ids]
        if unknown:
            raise collector.CollectError(
                f"{item.nodeid}: unknown checklist id(s) {', '.join(unknown)}: "
                f"not in {state.catalogue_path}"
            )
    return result


def _is_acceptance(item: pytest.Item, acceptance_dir: Path) -> bool:
    return bool(_checklist_ids(item)) or acceptance_dir in item.path.parents


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_makereport(item: pytest.Item) -> Any:
    # trylast: the innermost wrapper, so every other plugin (the terminal, allure, JUnit, the
    # recorder, xdist's transport) sees the report already redacted. pytest puts the failing
    # test's fixture values (and with -l its locals) and the captured output into the report.
    report = yield
    redactor = Redactor(runinfo.secrets(item.config))
    if report.longrepr is not None:
        report.longrepr = redactor.in_place(report.longrepr)
    report.sections = [(title, redactor.text(body)) for title, body in report.sections]
    return report


def _error_texts(report: pytest.TestReport) -> tuple[str | None, str | None]:
    """A short error message and a details excerpt (traceback tail, captured log tail)."""
    longrepr = report.longrepr
    if report.skipped:
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr or "")
        return reason, None
    crash = getattr(longrepr, "reprcrash", None)
    full = report.longreprtext or ""
    message = crash.message if crash is not None else None
    if not message:
        # No crash location (a fixture lookup error, a string longrepr): pytest's "E" lines are
        # the error itself; otherwise the last line is the best one-line summary.
        e_lines = [line[1:].strip() for line in full.splitlines() if line.startswith("E ")]
        lines = e_lines or [line for line in full.splitlines() if line.strip()][-1:]
        message = "\n".join(lines) or None
    tail = full.rstrip().splitlines()[-_DETAIL_LINES:]
    for title, content in report.sections:
        if title.startswith("Captured log") or title.startswith("Captured stderr"):
            tail += ["", f"----- {title} -----", *content.rstrip().splitlines()[-_CAPTURE_LINES:]]
    return message, "\n".join(tail) or None


def _record(state: _State, report: pytest.TestReport) -> None:
    attempts = state.attempts.setdefault(report.nodeid, [])
    if report.when == "setup" or not attempts:
        attempts.append(
            {
                "outcome": "passed",
                "when": None,
                "duration_s": 0.0,
                "start": round(getattr(report, "start", time.time()), 6),
                "error": None,
                "details": None,
                "evidence": [],
                "page_timings_ms": {},
                "blocked": None,
                "phases": {},
                "rerun": False,
                "xfail": False,
                "worker": getattr(report, "worker_id", None),
            }
        )
    attempt = attempts[-1]
    attempt["duration_s"] += report.duration
    attempt["phases"][report.when] = report.outcome
    if report.outcome == "rerun":
        attempt["rerun"] = True
    if hasattr(report, "wasxfail"):
        attempt["xfail"] = True

    # user_properties accumulate on the item across reruns: only what is new since the previous
    # report of this test belongs to this attempt.
    props = [tuple(p) for p in report.user_properties]
    seen = state.props_seen.get(report.nodeid, [])
    new = props[len(seen) :] if props[: len(seen)] == seen else props
    state.props_seen[report.nodeid] = props
    for name, value in new:
        if name == runinfo.EVIDENCE_PROPERTY:
            kind, _, path = str(value).partition(":")
            entry = {"kind": kind, "path": path}
            if entry not in attempt["evidence"]:
                attempt["evidence"].append(entry)
        elif name == runinfo.BLOCKED_PROPERTY:
            attempt["blocked"] = str(value)
        elif name == runinfo.NOT_APPLICABLE_PROPERTY:
            attempt["not_applicable"] = str(value)
        elif name == runinfo.PAGE_TIMING_PROPERTY:
            figure, _, ms = str(value).partition("=")
            attempt["page_timings_ms"][figure] = float(ms)

    if report.outcome in ("failed", "rerun") and attempt["when"] is None:
        attempt["when"] = report.when
        attempt["error"], attempt["details"] = _error_texts(report)
    elif report.skipped and attempt["error"] is None and attempt["when"] is None:
        attempt["error"], _ = _error_texts(report)


def _final_attempt(raw: dict[str, Any]) -> dict[str, Any]:
    attempt = {k: v for k, v in raw.items() if k != "xfail"}
    phases = raw["phases"].values()
    if any(p in ("failed", "rerun") for p in phases):
        attempt["outcome"] = "blocked" if raw["blocked"] else "failed"
    elif "skipped" in phases:
        attempt["outcome"] = "xfailed" if raw["xfail"] else "skipped"
    else:
        attempt["outcome"] = "passed"
    attempt["duration_s"] = round(raw["duration_s"], 3)
    return attempt


def _unfinished(attempt: dict[str, Any]) -> bool:
    """Whether an attempt was cut short (it has no teardown report)."""
    return "teardown" not in attempt["phases"]


def _interrupted_attempt(stop: dict[str, Any]) -> dict[str, Any]:
    return {
        "outcome": "interrupted",
        "when": "setup",
        "duration_s": 0.0,
        "start": stop.get("at", time.time()),
        "error": f"interrupted by {stop.get('signal', 'a signal')}",
        "details": None,
        "evidence": [],
        "blocked": None,
        "phases": {},
        "rerun": False,
        "worker": None,
    }


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _versions() -> dict[str, str]:
    found: dict[str, str] = {}
    for name in _PLUGIN_DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _git_facts(root: Path) -> dict[str, str | None]:
    """Read once at the session's start: an interrupted run has no time for subprocesses."""
    return {
        "branch": _git(root, "rev-parse", "--abbrev-ref", "HEAD"),
        "status": _git(root, "status", "--porcelain", "--untracked-files=no"),
        "commit": _git(root, "rev-parse", "HEAD"),
    }


def _run_facts(config: pytest.Config, state: _State, finished: float, exitstatus: int) -> dict:
    if not state.git:
        state.git = _git_facts(state.root)
    branch, status = state.git["branch"], state.git["status"]
    facts = {**state.worker_facts, **runinfo.facts(config)}
    workers = getattr(config.option, "numprocesses", None)
    return {
        "started_at": _iso(state.started),
        "started_at_display": datetime.fromtimestamp(state.started, UTC).strftime(
            "%Y-%m-%d %H:%M UTC"
        ),
        "finished_at": _iso(finished),
        "started_epoch": round(state.started, 3),
        "finished_epoch": round(finished, 3),
        "duration_s": round(finished - state.started, 3),
        "commit": state.git["commit"],
        "branch": None if branch in (None, "HEAD") else branch,
        "dirty": bool(status) if status is not None else None,
        "run_mode": state.mode.name,
        "release": state.release,
        "selection": list(chosen) if (chosen := selection.selected(config)) is not None else None,
        "command": " ".join(["pytest", *config.invocation_params.args]),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "pytest": pytest.__version__,
        "plugins": _versions(),
        "workers": workers if isinstance(workers, int) and workers > 0 else None,
        "facts": json.loads(json.dumps(facts, default=str)),
        "pytest_exit_status": int(exitstatus),
        "stop": runinfo.stop(config),
        "signed_off_by": [
            checklist.parse_signer(value, _iso(finished)[:10])
            for value in config.getoption("signed_off_by")
        ],
    }


def _harness_tests(
    checks: list[dict[str, Any]], at: float, state: _State, secrets: set[str]
) -> list[dict[str, Any]]:
    """Harness checks as tests: one per item id, passed only if every report of it passed; each
    one's details go to ``<qe-out>/evidence/harness-<id>.txt``, its evidence."""
    by_item: dict[str, list[dict[str, Any]]] = {}
    for check in checks:
        by_item.setdefault(check["item"], []).append(check)
    tests = []
    for item_id, found in by_item.items():
        failed = [c for c in found if not c["passed"]]
        detail = "\n".join(str(c["detail"]) for c in (failed or found))
        record = state.out_dir / "evidence" / f"harness-{item_id}.txt"
        record.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"{'passed' if c['passed'] else 'FAILED'}: {c['detail']}" for c in found]
        record.write_text(Redactor(secrets).text("\n".join(lines) + "\n"), encoding="utf-8")
        tests.append(
            {
                "nodeid": f"harness::{item_id}",
                "items": [item_id],
                "deselected": False,
                "attempts": [
                    {
                        "outcome": "failed" if failed else "passed",
                        "when": "session" if failed else None,
                        "duration_s": 0.0,
                        "start": round(at, 6),
                        "error": detail.splitlines()[0] if failed and detail else None,
                        "details": detail if failed else None,
                        "evidence": [{"kind": "log", "path": _display(record, state.root)}],
                        "blocked": None,
                        "phases": {"session": "failed" if failed else "passed"},
                        "rerun": False,
                        "worker": None,
                    }
                ],
            }
        )
    return tests


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _scan(state: _State, config: pytest.Config, tests: list[dict], secrets: set[str]) -> list:
    roots = [state.out_dir]
    allure_dir = getattr(config.option, "allure_report_dir", None)
    if allure_dir:
        # allure-pytest takes a failure's message from the exception itself, not from the
        # (redacted) report, and writes as it goes: its folder is redacted here, before the scan.
        roots.append(Path(allure_dir).resolve())
        Redactor(secrets).rewrite_tree(roots[-1])
        state.allure_clean = True
    runinfo.mark(config, "results: secret scan")
    for test in tests:
        for attempt in test["attempts"]:
            for ev in attempt["evidence"]:
                roots.append((state.root / ev["path"]).resolve())
    ours = (state.results_path, state.checklist_path, state.junit_path)
    stop = runinfo.stop(config) or {}
    # An interrupted run has until ``finish_by`` to be over; its results need the last part.
    until = stop["finish_by"] - _WRITE_RESERVE_S if "finish_by" in stop else None
    hits, unchecked = leaks.scan_until(
        [r for r in roots if r.exists()], secrets, exclude=ours, until=until
    )
    problems = _leak_problems(hits, state.root)
    if unchecked:
        problems.append(
            {
                "kind": "scan",
                "file": "",
                "files": [],
                "message": f"secret scan cut short by the interrupt: {unchecked} file(s) unchecked",
            }
        )
    return problems


def _leak_problems(hits: list[str], root: Path) -> list[dict[str, Any]]:
    """At most one problem, its message one short line; every place found is in ``files``."""
    if not hits:
        return []
    places = []
    for hit in hits:
        path, _, member = hit.partition("!")
        places.append(_display(Path(path), root) + (f"!{member}" if member else ""))
    files = sorted({place.split("!")[0] for place in places})
    if len(places) == 1:
        message = f"secret found in {places[0]}"
    elif len(files) == 1:
        message = f"secret found in {files[0]} ({len(places)} places)"
    else:
        message = f"secret found in {len(files)} files, first {files[0]}"
    return [{"kind": "secret", "file": files[0], "files": places, "message": message}]


def _write(state: _State, results: dict[str, Any], secrets: set[str]) -> None:
    with state.write_lock:
        if state.sealed:
            return  # the interrupt watchdog wrote them and is ending the run
        junit.write(redact(results, secrets), state.junit_path)
        checklist.dump_results(results, state.results_path, secrets)
        checklist.write(results, state.checklist_path, state.root, secrets)
        state.written = True


def _drop_unscrubbed(state: _State, config: pytest.Config) -> None:
    """An interrupted run in a hurry keeps no output it could not clean of secrets: allure-pytest's
    folder (written as the tests went, redacted only at the end) goes if it was not yet."""
    allure_dir = getattr(config.option, "allure_report_dir", None)
    if allure_dir and not state.allure_clean:
        shutil.rmtree(allure_dir, ignore_errors=True)


def _finish(
    config: pytest.Config,
    state: _State,
    collect_errors: list[str],
    exitstatus: int,
    *,
    hurry: bool = False,
) -> dict[str, Any]:
    """Build, write and check the run's results. ``hurry`` (the interrupt watchdog's last
    resort): no cleaning or scanning of other outputs, whatever could not be cleaned is dropped."""
    runinfo.mark(config, "results: build" + (" (in a hurry)" if hurry else ""))
    finished = time.time()
    catalogue = state.load_catalogue()
    nodeids = list(dict.fromkeys([*state.collected, *state.deselected, *state.attempts]))
    tests = []
    stop = runinfo.stop(config)
    interrupt = stop if stop and stop["kind"] == runinfo.INTERRUPTED else None
    in_flight = interrupt.get("nodeid") if interrupt else None
    for nodeid in nodeids:
        attempts = [_final_attempt(a) for a in state.attempts.get(nodeid, [])]
        if interrupt is not None and nodeid == in_flight and not attempts:
            attempts = [_interrupted_attempt(interrupt)]
        elif interrupt is not None and attempts:
            # Whatever an attempt in flight (one per xdist worker) did after the signal is the
            # interrupt's doing.
            last = attempts[-1]
            running = last["start"] + last["duration_s"] >= interrupt["at"] or nodeid == in_flight
            if _unfinished(last) or (running and last["outcome"] != "passed"):
                last["outcome"] = "interrupted"
        tests.append(
            {
                "nodeid": nodeid,
                "items": state.collected.get(nodeid) or state.deselected.get(nodeid) or [],
                "deselected": nodeid in state.deselected and not attempts,
                "attempts": attempts,
            }
        )
    secrets = runinfo.secrets(config) | state.worker_secrets
    tests += _harness_tests(
        [*state.worker_checks, *runinfo.checks(config)], finished, state, secrets
    )
    problems = [
        {"kind": "collection", "file": where, "message": f"collection error in {where}"}
        for where in dict.fromkeys(collect_errors)
    ]
    if hurry:
        _drop_unscrubbed(state, config)
    else:
        problems += _scan(state, config, tests, secrets)
    run = _run_facts(config, state, finished, exitstatus)
    results = build(catalogue, tests, run, problems)
    if state.mode.keeps_history:
        history.append(state.history_dir, results)
        results["history"] = history.trend(
            history.load(state.history_dir), [item.id for item in catalogue]
        )
    runinfo.mark(config, "results: write")
    _write(state, results, secrets)
    # Redaction should make this impossible; if it ever fails, the run must still say NO-GO.
    late = leaks.scan([state.results_path, state.checklist_path, state.junit_path], secrets)
    if late:
        results = build(
            catalogue,
            tests,
            run,
            problems + _leak_problems(late, state.root),
            results.get("history"),
        )
        _write(state, results, secrets)
    return redact(results, secrets)


class _Recorder:
    """The hooks that see the run: collection, every phase report, worker output, the end."""

    def __init__(self, config: pytest.Config, state: _State) -> None:
        self.config = config
        self.state = state
        self.collect_errors: list[str] = []
        self.results: dict[str, Any] | None = None

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.state.started = time.time()
        if self.state.expected and not _is_worker(self.config):
            # An interrupted run has about two seconds left for its results; these took most.
            self.state.git = _git_facts(self.state.root)
            checklist.compile_templates()

    def last_resort(self) -> None:
        """The interrupt watchdog's, from its thread: write the interrupted verdict now (unless
        the orderly path already did), then let nothing write it again."""
        config, state = self.config, self.state
        if config.option.collectonly or not (state.forced or state.acceptance or state.expected):
            return
        if not state.write_lock.acquire(timeout=1.0):
            return  # a write under way for that long is stuck; better the verdict it wrote
        # Held until the process ends: the main thread must not start writing over this.
        if not state.written:
            for _ in range(2):  # the main thread may change what this reads; once more then
                try:
                    self.results = _finish(
                        config, state, self.collect_errors, pytest.ExitCode.INTERRUPTED, hurry=True
                    )
                    break
                except RuntimeError:
                    continue
        state.sealed = True

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        for item in items:
            self.state.deselected[item.nodeid] = _checklist_ids(item)
            self.state.acceptance |= _is_acceptance(item, self.state.root / "acceptance")

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            self.state.collected[item.nodeid] = _checklist_ids(item)
            self.state.acceptance |= _is_acceptance(item, self.state.root / "acceptance")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed and not _is_worker(self.config):
            self.collect_errors.append(report.nodeid or "conftest")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if not _is_worker(self.config):
            _record(self.state, report)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        """xdist controller: the tests a worker collected, known even if the run is interrupted
        before the worker hands over its output (their checklist ids come with that output)."""
        for nodeid in ids:
            self.state.collected.setdefault(nodeid, [])

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """xdist controller: take in what a finished worker knew."""
        output = getattr(node, "workeroutput", {}).get(_WORKEROUTPUT_KEY)
        if not output:
            return
        state = self.state
        state.collected.update(output["collected"])
        for nodeid, ids in output["deselected"].items():
            state.deselected.setdefault(nodeid, ids)
        state.acceptance |= output["acceptance"]
        for key, value in output["facts"].items():
            state.worker_facts.setdefault(key, value)
        state.worker_secrets.update(output["secrets"])
        state.worker_checks.extend(output["checks"])

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        config, state = self.config, self.state
        if _is_worker(config):
            config.workeroutput[_WORKEROUTPUT_KEY] = {  # type: ignore[attr-defined]
                "collected": state.collected,
                "deselected": state.deselected,
                "acceptance": state.acceptance,
                "facts": json.loads(json.dumps(runinfo.facts(config), default=str)),
                "secrets": sorted(runinfo.secrets(config)),
                "checks": json.loads(json.dumps(runinfo.checks(config), default=str)),
            }
            return
        if config.option.collectonly or not (state.forced or state.acceptance or state.expected):
            return
        self.results = _finish(config, state, self.collect_errors, int(exitstatus))
        runinfo.mark(config, "results: done")
        failing = modes.fails(
            self.results["verdict"], state.mode, config.getoption("fail_on_warnings")
        )
        if failing and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.results is None:
            return
        root = self.state.root
        terminalreporter.write_sep("=", "QE acceptance checklist")
        terminalreporter.write_line(f"{headline(self.results)} — {self.results['reason']}")
        tests = self.results["tests"]
        checks = [t for t in tests if t["nodeid"].startswith(checklist.HARNESS_PREFIX)]
        ran = [t for t in tests if t not in checks and t["attempts"]]
        names = ", ".join(t["nodeid"].removeprefix(checklist.HARNESS_PREFIX) for t in checks)
        terminalreporter.write_line(
            f"{len(ran)} test(s) in the checklist, plus {len(checks)} harness check(s) that are "
            f"not tests{f' ({names})' if names else ''}"
        )
        html = checklist.html_path(self.state.checklist_path)
        terminalreporter.write_line(
            f"this run's checklist: {_display(self.state.checklist_path, root)}"
            f" (HTML: {_display(html, root)})"
        )
        terminalreporter.write_line(f"results:   {_display(self.state.results_path, root)}")
