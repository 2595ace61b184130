"""The harness's self-test: run the acceptance suite against copies of the app with known bugs.

For the clean app and for each regression of ``regressions.toml``: copy ``backend/``,
``frontend/`` and ``stubs/`` to a temporary folder, apply the regression's patch there, and run
``pytest acceptance --app-dir <copy>`` from the repo root, with its own output, log, artifact,
history and state folders so that nothing of the repository's ``reports/out`` is touched. The
verdicts are read back from each run's ``results.json``:

- the clean copy must give GO (GO WITH WARNINGS is accepted only when every warning comes from an
  advisory item that did not pass); it is a whole run, judged as any release would be;
- each regression must give NO-GO with every one of its ``expected_items`` failed (or, for one
  whose ``expected_verdict`` is "GO WITH WARNINGS", that verdict with its advisory items failed).
  An expected item that is not failed (passed, flaky, not run, not selected) is a miss, named
  with its status.

A regression run is a partial run (``--items``, reports/selection.py): only the tests of its
expected items and of the items its entry says it also needs (``also_run``: e.g. API-08's
whole-run audit needs a browser scenario's requests to see a token the browser sends) run, with
the lean evidence policy. Its verdict covers exactly those items: the others are NOT SELECTED and
count for nothing, so the run proves what it must (its items fail, NO-GO) in a fraction of a
whole run. The clean run stays whole: only it shows that nothing else in the suite fails.

Runs go in parallel (``--jobs``, default ``DEFAULT_JOBS``), each on its own free ports, output
and state folders: a suite run spends much of its time waiting (servers starting, the browser,
conditions polled to a deadline), so a few of them share two cores well. Regression runs pass
``--force-reruns 1`` by default (see ``REGRESSION_RERUNS``); the clean run keeps the suite's own
reruns policy, because a clean GO is only meaningful under the policy releases are judged by.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
SELFTEST_DIR = Path(__file__).resolve().parent
CATALOGUE = SELFTEST_DIR / "regressions.toml"
APP_DIRS = ("backend", "frontend", "stubs")
CLEAN = "clean"

# A regression's bug is deterministic: one rerun is enough to show that a rerun does not hide it
# (the item stays "fail", not "flaky"), while the suite's three browser reruns would only spend
# a minute per regression re-failing the same expectation.
REGRESSION_RERUNS = 1
# Far above a normal run (about 40 s clean, 1-2 min with failing browser scenarios on 2 cores);
# only a hung run gets here. Runs in parallel on a starved machine (load 90) took 15 min each.
RUN_TIMEOUT_S = 1800.0
GO, WARN, NO_GO = "GO", "GO WITH WARNINGS", "NO-GO"
# Parallel suite runs: measured on 2 cores (tests/selftest/README.md), three overlap one run's
# waits with the others' work without starving the browser scenarios' own deadlines.
DEFAULT_JOBS = 3
# An interrupted run gets this long to tear its servers down before its process group is killed.
INTERRUPT_GRACE_S = 20.0

# The process groups of the suite runs under way, so an interrupt can end them all.
_running: set[int] = set()
_running_lock = threading.Lock()


class PatchError(RuntimeError):
    """A regression patch does not apply cleanly (the app changed under it: patch rot)."""


@dataclass(frozen=True)
class Regression:
    name: str
    patch: Path | None  # None: the clean app
    description: str
    expected_items: tuple[str, ...]
    expected_verdict: str = NO_GO
    # Items whose tests the run needs besides the expected items' (not judged by the self-test).
    also_run: tuple[str, ...] = ()

    @property
    def items(self) -> tuple[str, ...]:
        """What the regression's partial run selects (``--items``)."""
        return tuple(dict.fromkeys(self.expected_items + self.also_run))


@dataclass(frozen=True)
class RunResult:
    """One acceptance run: its exit code, time taken and output folder."""

    returncode: int
    duration_s: float
    out_dir: Path
    log_path: Path
    timed_out: bool = False

    @property
    def results_path(self) -> Path:
        return self.out_dir / "results.json"

    def results(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.results_path.read_text())  # type: ignore[no-any-return]
        except (OSError, ValueError):
            return None


@dataclass(frozen=True)
class Judgement:
    """A table row: what a run gave against what it had to give."""

    name: str
    verdict: str
    failed: tuple[str, ...]
    expected: tuple[str, ...]
    ok: bool
    note: str = ""
    duration_s: float | None = None
    others: tuple[str, ...] = field(default=())


CLEAN_RUN = Regression(CLEAN, None, "the app as it is: a whole run that must give GO", ())


def partial_args(items: Sequence[str]) -> list[str]:
    """The acceptance options of a regression's partial run: its items, lean evidence."""
    return ["--items", ",".join(items), "--evidence", "lean"]


def load_regressions(path: Path = CATALOGUE) -> list[Regression]:
    """The regressions listed in ``path``, patch paths resolved next to it."""
    data = tomllib.loads(path.read_text())
    regressions = [
        Regression(
            name=str(entry["name"]),
            patch=(path.parent / str(entry["patch"])).resolve(),
            description=str(entry.get("description", "")),
            expected_items=tuple(str(i) for i in entry["expected_items"]),
            expected_verdict=str(entry.get("expected_verdict", NO_GO)),
            also_run=tuple(str(i) for i in entry.get("also_run", ())),
        )
        for entry in data.get("regression", [])
    ]
    wrong = sorted(r.name for r in regressions if r.expected_verdict not in (NO_GO, WARN))
    if wrong:
        raise ValueError(f"{path}: expected_verdict must be {NO_GO!r} or {WARN!r}: {wrong}")
    names = [r.name for r in regressions]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates or CLEAN in names:
        raise ValueError(f"{path}: duplicate or reserved regression names: {duplicates or [CLEAN]}")
    return regressions


def copy_app(dest: Path, source: Path = REPO_ROOT) -> Path:
    """Copy the app (``APP_DIRS``, without bytecode) to ``dest``; returns ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in APP_DIRS:
        shutil.copytree(source / name, dest / name, ignore=ignore)
    return dest


def patched_paths(patch: Path) -> list[str]:
    """The files a ``-p1`` unified diff changes (from its ``+++ b/...`` lines)."""
    paths = []
    for line in patch.read_text().splitlines():
        if line.startswith("+++ "):
            target = line[4:].split("\t", 1)[0].strip()
            paths.append(target.split("/", 1)[1] if "/" in target else target)
    return paths


def apply_patch(app_dir: Path, patch: Path, *, check_only: bool = False) -> None:
    """Apply ``patch`` (``-p1``, no fuzz) inside ``app_dir``; ``PatchError`` if it cannot."""
    if shutil.which("patch"):
        command = ["patch", "-p1", "--batch", "--forward", "--fuzz=0", "-d", str(app_dir)]
        command += ["-i", str(patch)] + (["--dry-run"] if check_only else [])
        env = None
    elif shutil.which("git"):
        command = ["git", "apply", "-p1", "--whitespace=nowarn", str(patch)]
        command += ["--check"] if check_only else []
        # Outside any repository, so that git applies to app_dir and not to an enclosing checkout.
        env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(app_dir.resolve().parent)}
    else:
        raise PatchError("neither `patch` nor `git` is installed: cannot apply regressions")
    done = subprocess.run(command, cwd=app_dir, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()
        raise PatchError(f"{patch.name} does not apply to the current app:\n{output}")


def acceptance_command(
    app_dir: Path | None,
    out_dir: Path,
    *,
    python: str = sys.executable,
    force_reruns: int | None = None,
    extra_args: Sequence[str] = (),
    target: tuple[str, str] | None = None,
) -> list[str]:
    """The pytest command of one acceptance run against ``app_dir`` (or, target mode, against the
    deployment at ``target`` = (base URL, API URL)), writing under ``out_dir``."""
    where = (
        ["--base-url", target[0], "--api-url", target[1]]
        if target is not None
        else ["--app-dir", str(app_dir), "--free-ports"]
    )
    command = [
        python,
        "-m",
        "pytest",
        "acceptance",
        *where,
        "--qe-out",
        str(out_dir),
        "-p",
        "no:randomly",
        "-q",
        # A nightly job's QE_RUN_MODE must not make these runs write history or sign-offs.
        "--run-mode",
        "ci",
        "--history-dir",
        str(out_dir / "history"),
        "-o",
        f"qe_log_dir={out_dir / 'logs'}",
        "--output",
        str(out_dir / "artifacts"),
    ]
    if force_reruns is not None:
        command += ["--force-reruns", str(force_reruns)]
    return command + list(extra_args)


def run_acceptance(
    app_dir: Path | None,
    out_dir: Path,
    *,
    python: str = sys.executable,
    force_reruns: int | None = None,
    extra_args: Sequence[str] = (),
    timeout_s: float = RUN_TIMEOUT_S,
    pycache: Path | None = None,
    target: tuple[str, str] | None = None,
) -> RunResult:
    """Run the acceptance suite against ``app_dir`` (from the repo root); output in ``out_dir``.

    ``pycache`` (default ``out_dir/pycache``) receives the bytecode of every process of the run;
    runs that share one reuse the compiled libraries.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    log_path = out_dir / "pytest.log"
    command = acceptance_command(
        app_dir,
        out_dir,
        python=python,
        force_reruns=force_reruns,
        extra_args=extra_args,
        target=target,
    )
    env = _run_env(pycache or out_dir / "pycache")
    # Own state folder: this run's server records stay apart from any other run in the checkout.
    env["QE_STATE_DIR"] = str(out_dir / "state")
    started = time.monotonic()
    with (
        log_path.open("wb") as log,
        _tracked(
            subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        ) as proc,
    ):
        try:
            returncode = proc.wait(timeout=timeout_s)
            timed_out = False
        except subprocess.TimeoutExpired:
            # The run's own process group (servers included): started here, ended here.
            os.killpg(proc.pid, signal.SIGKILL)
            returncode = proc.wait()
            timed_out = True
    return RunResult(returncode, time.monotonic() - started, out_dir, log_path, timed_out)


def _run_env(pycache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QE_RUN_MODE", "QE_HISTORY_DIR")}
    # Bytecode of every process of the run goes under ``pycache`` (none into the repository), and
    # where it lands shows which source tree the servers really imported (copy_was_run).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


@contextmanager
def _tracked(proc: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    with _running_lock:
        _running.add(proc.pid)
    try:
        yield proc
    finally:
        with _running_lock:
            _running.discard(proc.pid)


def stop_running_runs(grace_s: float = INTERRUPT_GRACE_S) -> None:
    """Interrupt every suite run under way (SIGINT: the harness tears its servers down), then
    kill the process groups still alive after ``grace_s``. Each run has its own session, so a
    Ctrl-C at the terminal does not reach them by itself."""
    with _running_lock:
        groups = list(_running)
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGINT)
    deadline = time.monotonic() + grace_s
    while groups and time.monotonic() < deadline:
        with _running_lock:
            groups = [pgid for pgid in groups if pgid in _running]
        time.sleep(0.2)
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


def judge(
    name: str,
    run: RunResult | None,
    results: dict[str, Any] | None,
    expected: Sequence[str],
    expected_verdict: str = NO_GO,
) -> Judgement:
    """Compare a run's results with what it must give: GO for the clean copy, else
    ``expected_verdict`` (NO-GO, or GO WITH WARNINGS for an advisory item) + items failed."""
    duration = run.duration_s if run else None
    if results is None:
        why = "timed out" if run and run.timed_out else f"exit {run.returncode if run else '?'}"
        return Judgement(
            name, "ERROR", (), tuple(expected), False, f"no results.json ({why})", duration
        )
    verdict = str(results.get("verdict"))
    items = results.get("items", [])
    failed = tuple(i["id"] for i in items if i.get("status") == "fail")
    others = tuple(
        f"{i['id']}:{i.get('status')}" for i in items if i.get("status") not in ("pass", "fail")
    )
    if name == CLEAN:
        not_passing = [i for i in items if i.get("status") != "pass"]
        advisory_only = all(
            not i.get("required", True) and i.get("status") != "flaky" for i in not_passing
        )
        ok = verdict == GO or (verdict == WARN and advisory_only)
        note = "" if verdict == GO else str(results.get("reason", ""))
        return Judgement(name, verdict, failed, (), ok, note, duration, others)
    missing = [item for item in expected if item not in failed]
    ok = verdict == expected_verdict and not missing
    status = {str(i["id"]): str(i.get("status", "absent")) for i in items}
    note = (
        "not failed: " + ", ".join(f"{i} ({status.get(i, 'absent')})" for i in missing)
        if missing
        else ""
    )
    if verdict != expected_verdict:
        note = (note + "; " if note else "") + f"verdict {verdict}"
    return Judgement(name, verdict, failed, tuple(expected), ok, note, duration, others)


def format_table(rows: Sequence[Judgement]) -> str:
    """A plain-text table: regression, verdict, items that caught it, expected, OK/MISSED."""
    header = ("regression", "verdict", "caught by (failed items)", "expected", "result", "time")
    lines = [header]
    for row in rows:
        result = "OK" if row.ok else ("MISSED" if row.name != CLEAN else "NOT GO")
        lines.append(
            (
                row.name,
                row.verdict,
                ", ".join(row.failed) or "-",
                ", ".join(row.expected) or ("GO" if row.name == CLEAN else "-"),
                result + (f" ({row.note})" if row.note else ""),
                f"{row.duration_s:.0f}s" if row.duration_s is not None else "-",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    text.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(text)


def suite_problem(python: str = sys.executable, pycache: Path | None = None) -> str | None:
    """Why the acceptance suite cannot run a copy of the app, or None: it collects, with the
    ``--app-dir`` option the self-test relies on, and the items ``--items`` names exist.

    With ``pycache``, this also compiles everything a run imports (pytest, its plugins, the
    suite's modules, assertion-rewritten) into it once, before the parallel runs would each do it.
    """
    with tempfile.TemporaryDirectory(prefix="qe-selftest-collect-") as scratch:
        done = subprocess.run(
            [python, "-m", "pytest", "acceptance", "--collect-only", "-q", "-p", "no:randomly"]
            + ["--app-dir", str(REPO_ROOT), "--qe-out", scratch, "--run-mode", "ci"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            env=_run_env(pycache) if pycache is not None else None,
        )
    if done.returncode == 0:
        return None
    output = (done.stderr + done.stdout).strip()
    if "unrecognized arguments" in output and "--app-dir" in output:
        return "the acceptance harness has no --app-dir option, so it cannot run a copy of the app"
    lines = [line for line in output.splitlines() if line.strip()]
    return f"the acceptance suite does not collect (exit {done.returncode}): " + (
        lines[-1] if lines else "no output"
    )


def run_one(
    name: str,
    patch: Path | None,
    expected: Sequence[str],
    workdir: Path,
    *,
    python: str = sys.executable,
    force_reruns: int | None = None,
    extra_args: Sequence[str] = (),
    expected_verdict: str = NO_GO,
    items: Sequence[str] | None = None,
) -> Judgement:
    """Copy the app under ``workdir/name``, apply ``patch`` (if any), run the suite (only the
    tests of ``items``, if given: ``partial_args``), judge it."""
    app_dir = copy_app(workdir / name / "app")
    if patch is not None:
        try:
            apply_patch(app_dir, patch)
        except PatchError as exc:
            return Judgement(name, "ERROR", (), tuple(expected), False, str(exc).splitlines()[0])
    run = run_acceptance(
        app_dir,
        workdir / name / "out",
        pycache=workdir / "pycache",
        python=python,
        force_reruns=force_reruns,
        extra_args=[*(partial_args(items) if items else []), *extra_args],
    )
    row = judge(name, run, run.results(), expected, expected_verdict)
    if not copy_was_run(app_dir, workdir / "pycache"):
        return replace(
            row, ok=False, note="the servers did not run the copy (is --app-dir honoured?)"
        )
    return row


def copy_was_run(app_dir: Path, pycache: Path) -> bool:
    """Whether the servers imported the copy's code: bytecode of each app folder, either under
    ``pycache`` (the run's ``PYTHONPYCACHEPREFIX``, which mirrors source paths) or, for servers
    started with a minimal environment that drops the prefix, in the copy's own ``__pycache__``
    (``copy_app`` copies none, so only a run can have written it).

    Without this, a harness that ignored ``--app-dir`` would run the clean repository code and
    every regression would look "missed" for the wrong reason.
    """
    mirror = pycache / app_dir.resolve().relative_to(app_dir.resolve().anchor)
    return all(
        (mirror / name).is_dir() or (app_dir / name / "__pycache__").is_dir() for name in APP_DIRS
    )


def run_plan(
    plan: Sequence[Regression],
    workdir: Path,
    *,
    jobs: int,
    python: str = sys.executable,
    force_reruns: int | None = REGRESSION_RERUNS,
    partial: bool = True,
) -> list[Judgement]:
    """Run every regression of ``plan`` (``CLEAN_RUN`` for the clean app), ``jobs`` at a time;
    rows in plan order. A regression runs only its items' tests unless ``partial`` is False; the
    clean app always runs whole, under the suite's own reruns policy.

    Each finished run is reported on a line as it ends."""
    rows: dict[str, Judgement] = {}
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="selftest") as pool:
        futures = {
            pool.submit(
                run_one,
                reg.name,
                reg.patch,
                reg.expected_items,
                workdir,
                python=python,
                force_reruns=None if reg.name == CLEAN else force_reruns,
                expected_verdict=reg.expected_verdict,
                items=reg.items if partial and reg.name != CLEAN else None,
            ): reg.name
            for reg in plan
        }
        try:
            for done, future in enumerate(as_completed(futures), 1):
                row = future.result()
                rows[row.name] = row
                print(
                    f"selftest: [{done}/{len(plan)}] {row.name}: {row.verdict} "
                    f"({'OK' if row.ok else 'NOT OK'}, {row.duration_s or 0:.0f}s)",
                    flush=True,
                )
        except KeyboardInterrupt:
            # Before the pool's exit waits for its threads, which wait for their runs.
            pool.shutdown(wait=False, cancel_futures=True)
            print("\nselftest: interrupted; stopping the runs under way", file=sys.stderr)
            stop_running_runs()
            raise
    return [rows[reg.name] for reg in plan]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.selftest",
        description="Run the acceptance suite against the clean app and against each known "
        "regression; fail unless the clean copy gives GO and every regression gives NO-GO with "
        "its expected items failed.",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only this regression (repeatable); 'clean' for the clean copy",
    )
    parser.add_argument("--no-clean", action="store_true", help="skip the clean copy")
    parser.add_argument(
        "--whole-runs",
        action="store_true",
        help="run each regression as a whole suite run, not only its items' tests (slower; "
        "shows everything else a regression breaks)",
    )
    parser.add_argument("--list", action="store_true", help="list the regressions and exit")
    parser.add_argument(
        "--force-reruns",
        type=int,
        default=REGRESSION_RERUNS,
        help=f"reruns of a failing test in regression runs "
        f"(default {REGRESSION_RERUNS}; the clean run keeps the suite's policy)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=int(os.environ.get("QE_SELFTEST_JOBS", DEFAULT_JOBS)),
        help=f"suite runs at a time (env QE_SELFTEST_JOBS; default {DEFAULT_JOBS})",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where the copies and outputs go (default: a new temporary folder)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the work folder even when everything passed"
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="the interpreter that runs pytest (default: this one)",
    )
    args = parser.parse_args(argv)

    regressions = load_regressions()
    if args.list:
        for reg in regressions:
            also = f" (+{', '.join(reg.also_run)})" if reg.also_run else ""
            print(f"{reg.name:36} {', '.join(reg.expected_items) + also:26} {reg.description}")
        return 0
    known = {r.name for r in regressions} | {CLEAN}
    unknown = sorted(set(args.only or ()) - known)
    if unknown:
        parser.error(f"unknown regression(s): {', '.join(unknown)}")
    selected = [r for r in regressions if not args.only or r.name in args.only]
    run_clean = not args.no_clean and (not args.only or CLEAN in args.only)

    for reg in selected:  # patch rot shows before any slow run
        try:
            with tempfile.TemporaryDirectory(prefix="qe-selftest-check-") as scratch:
                apply_patch(copy_app(Path(scratch)), reg.patch, check_only=True)
        except PatchError as exc:
            print(f"selftest: {exc}", file=sys.stderr)
            return 2

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="qe-selftest-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    # Loads and compiles what every run loads once, into their shared bytecode folder.
    problem = suite_problem(args.python, pycache=workdir / "pycache")
    if problem is not None:
        print(f"selftest: {problem}; nothing was run.", file=sys.stderr)
        return 2
    plan = [CLEAN_RUN] if run_clean else []
    plan += selected
    jobs = max(1, min(args.jobs, len(plan)))
    print(
        f"selftest: {len(plan)} run(s), {jobs} at a time, work folder {workdir} "
        f"(ready in {time.monotonic() - started:.0f}s)",
        flush=True,
    )
    try:
        rows = run_plan(
            plan,
            workdir,
            jobs=jobs,
            python=args.python,
            force_reruns=args.force_reruns,
            partial=not args.whole_runs,
        )
    except KeyboardInterrupt:
        print(f"selftest: partial outputs kept in {workdir}", file=sys.stderr)
        return 130
    total = time.monotonic() - started
    print()
    print(format_table(rows))
    print(f"\nselftest: {sum(r.ok for r in rows)}/{len(rows)} as expected in {total:.0f}s")
    failures = [r for r in rows if not r.ok]
    if failures or args.keep:
        print(f"selftest: outputs kept in {workdir} (<name>/out/pytest.log, results.json)")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failures else 0
