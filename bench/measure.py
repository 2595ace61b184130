"""Run one command to its end and measure it: wall time, CPU seconds of its process tree, load.

CPU is the sum of user+system time of the command and every process it started (servers,
browsers, drivers): psutil samples the tree every ``SAMPLE_S`` and keeps each process's last
figure, so a process is missed by at most its final ``SAMPLE_S``; the command's own figure and
what it reaped come from ``wait4``'s resource usage, which is exact.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.load import load_now

SAMPLE_S = 0.1
STOP_GRACE_S = 30.0


@dataclass
class Measured:
    wall_s: float
    cpu_s: float
    exit_code: int
    load_before: float
    load_after: float
    log: Path

    def figures(self) -> dict[str, float | int]:
        return {
            "wall_s": round(self.wall_s, 3),
            "cpu_s": round(self.cpu_s, 3),
            "exit_code": self.exit_code,
            "load_before": self.load_before,
            "load_after": self.load_after,
        }


def run_measured(
    command: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None, log: Path
) -> Measured:
    """Run ``command`` (its output to ``log``) and measure it."""
    load_before = load_now()
    log.parent.mkdir(parents=True, exist_ok=True)
    seen: dict[tuple[int, float], float] = {}
    with log.open("wb") as out:
        began = time.perf_counter()
        proc = subprocess.Popen(
            list(command), cwd=cwd, env=dict(env) if env else None, stdout=out, stderr=out
        )
        root = psutil.Process(proc.pid)
        root_key = (proc.pid, _create_time(root))
        status = None
        try:
            while status is None:
                _sample(root, seen)
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid == 0:
                    status = None
                    time.sleep(SAMPLE_S)  # sampling interval of a running process tree
        except KeyboardInterrupt:
            # The command tears its own servers and browser down on SIGINT; it must not outlive us.
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            raise
        wall = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(status)
    descendants = sum(cpu for key, cpu in seen.items() if key != root_key)
    # wait4's usage: the command itself plus every descendant it (transitively) reaped; the
    # samples cover the ones nobody reaped into it. Take the larger view of those descendants.
    reaped = usage.ru_utime + usage.ru_stime
    own = seen.get(root_key, 0.0)
    cpu = max(reaped, own + descendants)
    return Measured(wall, cpu, proc.returncode, load_before, load_now(), log)


def _create_time(proc: psutil.Process) -> float:
    with contextlib.suppress(psutil.Error):
        return proc.create_time()
    return 0.0


def _sample(root: psutil.Process, seen: dict[tuple[int, float], float]) -> None:
    try:
        tree = [root, *root.children(recursive=True)]
    except psutil.Error:
        return
    for proc in tree:
        with contextlib.suppress(psutil.Error):
            times = proc.cpu_times()
            seen[(proc.pid, proc.create_time())] = times.user + times.system
