"""``python -m tests.chaos_interrupt --runs 10 --seed 1``: interrupts at random moments.

Each run starts ``pytest acceptance --free-ports`` in a process group of its own, with its own
``--qe-out`` folder (under ``--out``) and a marker in its environment that every process it starts
inherits. At a seeded random moment (uniform between the session's first line and ``--window``
seconds later) it sends SIGINT to the whole group (as a terminal's Ctrl-C does) or SIGTERM to
pytest alone (as a cancelled CI job does); the seed picks which, too. Then it checks:

- pytest exits within ``--deadline`` seconds (3) of the signal;
- results.json and the checklist exist, and the checklist's first line says "interrupted";
- no process with the run's marker is left, and no port any of them listened on is held;
- the output after the signal has no traceback and at most ``--max-lines`` lines (15).

A run that took too long shows its ``interrupt-timeline.txt`` (where the seconds went, after the
delay until pytest handled the signal).

A run that had already ended when its moment came counts as "missed" (not judged). Exit code 0
only when every judged run passes every check. Same seed, same moments and signals.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO_ROOT = Path(__file__).resolve().parents[1]
MARKER_ENV = "QE_CHAOS_RUN"
TRACEBACK_WORDS = ("Traceback", "ExceptionGroup", "INTERNALERROR", "TargetClosedError")
RUN_TIMEOUT_S = 900.0
POLL_S = 0.05


@dataclass
class ChaosOutcome:
    number: int
    signal: str
    moment_s: float
    exit_s: float | None = None
    exit_code: int | None = None
    first_line: str = ""
    lines_after: int = 0
    left_pids: list[str] = field(default_factory=list)
    held_ports: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    missed: bool = False
    handled_after_s: float | None = None
    timeline: list[str] = field(default_factory=list)

    def line(self, total: int) -> str:
        status = "missed" if self.missed else ("ok" if not self.problems else "FAIL")
        exit_s = f"{self.exit_s:5.2f} s" if self.exit_s is not None else "   -  "
        text = (
            f"run {self.number:>2}/{total}: {self.signal:<7} at {self.moment_s:6.1f} s  "
            f"exit after {exit_s}  code {self.exit_code}  lines {self.lines_after:>2}  "
            f"left {len(self.left_pids)} procs / {len(self.held_ports)} ports  {status}"
        )
        text += f"\n        {self.first_line}"
        for problem in self.problems:
            text += f"\n        ! {problem}"
        if self.exit_s is not None and self.problems and self.timeline:
            handled = self.handled_after_s
            text += f"\n        signal handled after {handled:.2f} s; timeline:" if handled else ""
            text += "".join(f"\n          {step}" for step in self.timeline)
        return text


def _marked(marker: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(MARKER_ENV) == marker and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def _ports_of(procs: Sequence[psutil.Process]) -> set[int]:
    ports: set[int] = set()
    for proc in procs:
        try:
            for conn in proc.net_connections(kind="tcp"):
                if conn.status == psutil.CONN_LISTEN and conn.laddr:
                    ports.add(conn.laddr.port)
        except psutil.Error:
            continue
    return ports


def _held(ports: set[int]) -> list[int]:
    held = set()
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port in ports:
            held.add(conn.laddr.port)
    return sorted(held)


def run_once(
    number: int,
    moment_s: float,
    signame: str,
    out_dir: Path,
    args: argparse.Namespace,
    extra: Sequence[str],
) -> ChaosOutcome:
    outcome = ChaosOutcome(number, signame, moment_s)
    marker = uuid.uuid4().hex
    command = [
        sys.executable,
        "-m",
        "pytest",
        "acceptance",
        "--free-ports",
        "--qe-out",
        str(out_dir),
        *extra,
    ]
    env = {**os.environ, MARKER_ENV: marker, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[tuple[float, str]] = []
    started = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append((time.monotonic(), line))
            started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    ports: set[int] = set()
    try:
        started.wait(RUN_TIMEOUT_S)
        due = time.monotonic() + moment_s
        while time.monotonic() < due and proc.poll() is None:
            ports |= _ports_of(_marked(marker))
            time.sleep(POLL_S)
        if proc.poll() is not None:
            outcome.missed = True
            outcome.exit_code = proc.returncode
            reader.join(timeout=5)
            outcome.first_line = lines[-1][1].strip() if lines else ""
            return outcome
        ports |= _ports_of(_marked(marker))
        sent = time.monotonic()
        sent_epoch = time.time()
        if signame == "SIGINT":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            outcome.problems.append("pytest did not exit")
        outcome.exit_s = time.monotonic() - sent
        outcome.exit_code = proc.returncode
        reader.join(timeout=5)
        after = [text for at, text in lines if at >= sent]
        outcome.lines_after = len(after)
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "pytest-output.txt").write_text("".join(text for _, text in lines))
        # Processes that were exiting with pytest need an instant to be reaped.
        deadline = time.monotonic() + 1.0
        left = _marked(marker)
        while left and time.monotonic() < deadline:
            time.sleep(POLL_S)
            left = _marked(marker)
        outcome.left_pids = [f"{p.pid} {p.name()}" for p in left if p.is_running()]
        outcome.held_ports = _held(ports)
        _judge(outcome, out_dir, "".join(after), args)
        _read_timeline(outcome, out_dir, sent_epoch)
        return outcome
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for leftover in _marked(marker):  # never leave a run of ours behind, judged or not
            with contextlib.suppress(psutil.Error):
                leftover.kill()


def _read_timeline(outcome: ChaosOutcome, out_dir: Path, sent_epoch: float) -> None:
    path = out_dir / "interrupt-timeline.txt"
    if not path.exists():
        return
    lines = path.read_text().splitlines()
    if lines and lines[0].startswith("# signal handled at "):
        handled = float(lines[0].split()[4])
        outcome.handled_after_s = handled - sent_epoch
        lines = lines[1:]
    outcome.timeline = lines


def _judge(outcome: ChaosOutcome, out_dir: Path, after: str, args: argparse.Namespace) -> None:
    problems = outcome.problems
    if outcome.exit_s is not None and outcome.exit_s > args.deadline:
        problems.append(f"exit took {outcome.exit_s:.2f} s (> {args.deadline:g} s)")
    results = out_dir / "results.json"
    checklist = out_dir / "QE_ACCEPTANCE_CHECKLIST.md"
    if not results.exists() or not checklist.exists():
        problems.append("no results.json or no checklist")
    else:
        outcome.first_line = checklist.read_text().splitlines()[0]
        reason = json.loads(results.read_text())["reason"]
        if "interrupted" not in outcome.first_line or "interrupted" not in reason:
            problems.append("the checklist does not say interrupted")
    if outcome.left_pids:
        problems.append(f"left running: {', '.join(outcome.left_pids)}")
    if outcome.held_ports:
        problems.append(f"ports still held: {outcome.held_ports}")
    words = [word for word in TRACEBACK_WORDS if word in after]
    if words:
        problems.append(f"output has {', '.join(words)}")
    if outcome.lines_after > args.max_lines:
        problems.append(f"{outcome.lines_after} lines after the signal (> {args.max_lines})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos_interrupt", description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--window", type=float, default=90.0, help="latest moment, in s after the first line"
    )
    parser.add_argument("--earliest", type=float, default=0.0, help="earliest moment, in s")
    parser.add_argument("--signal", choices=("mixed", "SIGINT", "SIGTERM"), default="mixed")
    parser.add_argument("--deadline", type=float, default=3.0, help="seconds to exit")
    parser.add_argument("--max-lines", type=int, default=15)
    parser.add_argument("--out", type=Path, default=None, help="default reports/out/chaos/<time>")
    parser.add_argument("extra", nargs="*", help="more pytest arguments (after --)")
    args = parser.parse_args(argv)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out or REPO_ROOT / "reports" / "out" / "chaos" / stamp
    rng = random.Random(args.seed)
    plan = [
        (
            rng.uniform(args.earliest, args.window),
            args.signal if args.signal != "mixed" else rng.choice(("SIGINT", "SIGTERM")),
        )
        for _ in range(args.runs)
    ]
    outcomes = []
    for number, (moment, signame) in enumerate(plan, start=1):
        outcome = run_once(number, moment, signame, out / f"run-{number:02d}", args, args.extra)
        outcomes.append(outcome)
        print(outcome.line(args.runs), flush=True)
    judged = [o for o in outcomes if not o.missed]
    failed = [o for o in judged if o.problems]
    exits = sorted(o.exit_s for o in judged if o.exit_s is not None)
    median = exits[len(exits) // 2] if exits else float("nan")
    longest = max(exits, default=float("nan"))
    print(
        f"\n{len(judged)} judged ({len(outcomes) - len(judged)} missed), {len(failed)} failed; "
        f"exit after the signal: median {median:.2f} s, max {longest:.2f} s; outputs in {out}"
    )
    return 1 if failed or not judged else 0


if __name__ == "__main__":
    sys.exit(main())
