"""``python -m tests.soak --runs 20 --hogs 2``: is the verdict stable on a loaded machine?

Runs ``pytest acceptance --free-ports`` ``--runs`` times in a row, each with its own ``--qe-out``
folder (under ``--out``, default ``reports/out/soak/<timestamp>``), while ``--hogs`` CPU hogs
(busy-loop processes this script starts and ends by PID) run beside it. Per run it prints the
verdict, the duration, the items that needed a rerun (read from ``results.json``: a test with more
than one attempt), the advisory items that warned (with their first error line: the figures of a
page budget, say) and the load average; then a summary with medians.

It exits 0 only when every run is GO and no API or ENV item needed a rerun: those checks are
deterministic, so a rerun there is the harness's (or the app's) fault, never load's. Browser
scenarios may be rerun (the suite's policy) and are counted, not failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
GO = "GO"
WARN = "GO WITH WARNINGS"
# Statuses of an advisory item that do not make a run warn.
QUIET_STATUSES = ("pass", "not applicable", "not selected")
# Items whose checks are deterministic: a rerun of any of them fails the soak.
NO_RERUN_PREFIXES = ("API-", "ENV-")
# A run that takes this long is hung, not slow (a clean run takes about a minute when loaded).
RUN_TIMEOUT_S = 900.0


@dataclass(frozen=True)
class RunOutcome:
    """What one acceptance run left behind, as far as the soak judges it."""

    number: int
    verdict: str
    reason: str
    duration_s: float
    load: float
    exit_code: int
    # checklist item -> how many of its tests needed more than one attempt
    reruns: dict[str, int] = field(default_factory=dict)
    # advisory item -> its status and first error line, for each one that warned
    advisory: dict[str, str] = field(default_factory=dict)

    def line(self, total: int) -> str:
        reruns = ", ".join(f"{item} x{n}" for item, n in sorted(self.reruns.items())) or "none"
        text = (
            f"run {self.number:>2}/{total}: {self.verdict:<16} {self.duration_s:6.1f} s  "
            f"load {self.load:5.2f}  reruns: {reruns}"
        )
        if self.verdict != GO:
            text += f"\n        {self.reason} (exit code {self.exit_code})"
        for item, why in sorted(self.advisory.items()):
            text += f"\n        advisory {item}: {why}"
        return text


def reruns_of(results: dict[str, Any]) -> dict[str, int]:
    """Per checklist item, how many of its tests needed a rerun (more than one attempt)."""
    counts: dict[str, int] = {}
    for test in results.get("tests", []):
        if len(test.get("attempts", [])) > 1:
            for item in test.get("items", []):
                counts[item] = counts.get(item, 0) + 1
    return counts


def advisory_warnings(results: dict[str, Any]) -> dict[str, str]:
    """Advisory items that did not pass (they make a run GO WITH WARNINGS): status and the first
    line of a failing test's error."""
    errors: dict[str, str] = {}
    for test in results.get("tests", []):
        attempts = test.get("attempts") or [{}]
        error = str(attempts[-1].get("error") or "").strip().splitlines()
        for item in test.get("items", []):
            if error and item not in errors:
                errors[item] = error[0][:200]
    warned = {}
    for item in results.get("items", []):
        if item.get("required", True) or item.get("status") in QUIET_STATUSES:
            continue
        why = errors.get(item["id"])
        warned[item["id"]] = f"{item.get('status')}" + (f": {why}" if why else "")
    return warned


def outcome_from(
    number: int, results: dict[str, Any] | None, duration_s: float, load: float, exit_code: int
) -> RunOutcome:
    if results is None:
        return RunOutcome(
            number, "NO RESULTS", "results.json was not written", duration_s, load, exit_code
        )
    return RunOutcome(
        number,
        str(results.get("verdict", "?")),
        str(results.get("reason", "")),
        duration_s,
        load,
        exit_code,
        reruns_of(results),
        advisory_warnings(results),
    )


def problems(runs: Sequence[RunOutcome]) -> list[str]:
    """Why the soak failed (empty: it passed)."""
    found = []
    if not runs:
        found.append("no run was made")
    for run in runs:
        if run.verdict != GO:
            found.append(f"run {run.number}: {run.verdict}: {run.reason}")
        strict = sorted(item for item in run.reruns if item.startswith(NO_RERUN_PREFIXES))
        if strict:
            found.append(f"run {run.number}: deterministic item(s) needed a rerun: {strict}")
    return found


def summary(runs: Sequence[RunOutcome]) -> str:
    if not runs:
        return "no runs"
    durations = [r.duration_s for r in runs]
    loads = [r.load for r in runs]
    verdicts: dict[str, int] = {}
    for run in runs:
        verdicts[run.verdict] = verdicts.get(run.verdict, 0) + 1
    reruns: dict[str, int] = {}
    for run in runs:
        for item, n in run.reruns.items():
            reruns[item] = reruns.get(item, 0) + n
    rerun_text = ", ".join(f"{item} x{n}" for item, n in sorted(reruns.items())) or "none"
    runs_with_reruns = sum(1 for r in runs if r.reruns)
    advisory: dict[str, int] = {}
    for run in runs:
        for item in run.advisory:
            advisory[item] = advisory.get(item, 0) + 1
    only_advisory = sum(1 for r in runs if r.verdict == WARN and r.advisory and not r.reruns)
    advisory_text = ", ".join(f"{item} in {n} run(s)" for item, n in sorted(advisory.items()))
    return "\n".join(
        [
            f"{len(runs)} runs: " + ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items())),
            f"duration: median {statistics.median(durations):.1f} s "
            f"(min {min(durations):.1f}, max {max(durations):.1f})",
            f"load average (1 min, at the end of each run): median {statistics.median(loads):.2f} "
            f"(min {min(loads):.2f}, max {max(loads):.2f})",
            f"runs with a rerun: {runs_with_reruns}; reruns by item: {rerun_text}",
            f"advisory items that warned: {advisory_text or 'none'}; runs GO WITH WARNINGS from "
            f"advisory items alone: {only_advisory}",
        ]
    )


# ------------------------------------------------------------------------------------ running


def start_hogs(count: int) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [sys.executable, "-c", "while True: pass"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(count)
    ]


def stop_hogs(hogs: Sequence[subprocess.Popen[bytes]]) -> None:
    for hog in hogs:
        if hog.poll() is None:
            hog.kill()
    for hog in hogs:
        hog.wait(timeout=10)


def run_once(number: int, out_dir: Path, extra: Sequence[str]) -> RunOutcome:
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "pytest", "acceptance", "--free-ports",
        "--qe-out", str(out_dir), "-p", "no:cacheprovider", *extra,
    ]  # fmt: skip
    began = time.monotonic()
    with (out_dir / "pytest.log").open("wb") as log:
        proc = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code = proc.wait(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            # The run's own session: the harness's servers die with it (parent-death signal).
            os.killpg(proc.pid, signal.SIGKILL)
            code = proc.wait()
        except BaseException:
            # Interrupted soak: end the run as a cancelled CI job would (SIGINT may be ignored
            # by a soak started in the background).
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            raise
    duration = time.monotonic() - began
    load = os.getloadavg()[0]
    path = out_dir / "results.json"
    results = json.loads(path.read_text()) if path.exists() else None
    return outcome_from(number, results, duration, load, code)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--runs", type=int, default=20, help="acceptance runs, one after another")
    parser.add_argument("--hogs", type=int, default=2, help="busy-loop processes beside the runs")
    parser.add_argument("--out", type=Path, default=None, help="folder of the runs' --qe-out's")
    parser.add_argument(
        "pytest_args", nargs="*", help="more pytest arguments (after --), e.g. -- -x"
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.hogs < 0:
        parser.error("--runs must be >= 1 and --hogs >= 0")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = (args.out or REPO_ROOT / "reports" / "out" / "soak" / stamp).resolve()
    signal.signal(signal.SIGTERM, _interrupt)
    hogs = start_hogs(args.hogs)
    print(f"soak: {args.runs} runs, {args.hogs} hog(s) (pids {[h.pid for h in hogs]}); out {out}")
    runs: list[RunOutcome] = []
    try:
        for number in range(1, args.runs + 1):
            run = run_once(number, out / f"run-{number:02d}", args.pytest_args)
            runs.append(run)
            print(run.line(args.runs), flush=True)
    except KeyboardInterrupt:
        print("soak: interrupted", file=sys.stderr)
    finally:
        stop_hogs(hogs)
    print(summary(runs))
    found = problems(runs)
    if len(runs) < args.runs:
        found.append(f"only {len(runs)} of {args.runs} runs were made")
    for problem in found:
        print(f"FAIL {problem}")
    print("soak: PASS" if not found else "soak: FAIL")
    return 0 if not found else 1


if __name__ == "__main__":
    raise SystemExit(main())
