"""``python -m bench`` (``make bench``): time the full acceptance run N times against the floor.

Each round runs ``pytest acceptance`` in a fresh process (free ports, its own output folder, the
``bench.timing`` plugin) and then measures the floor (bench/floor.py: the nine scenarios' work done
by a bare script), so both see about the same machine load; the 1-minute load before and after
each is printed, and a round whose run and floor saw very different loads is not compared
(bench/load.py). Prints medians with min/max and writes ``reports/out/bench.json``. Arguments
after ``--`` go to pytest (``-- -n 2``, ``-- --browser-ws-endpoint ws://...``). Exit code 1 when a
run is NO-GO.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import floor, stats
from bench.load import load_now

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "reports" / "out" / "bench.json"


def acceptance_command(work: Path, extra: Sequence[str], target: str = "acceptance") -> list[str]:
    """The measured command: the suite (or ``target``), isolated in ``work`` (ports, logs,
    outputs)."""
    out = work / "out"
    return [
        sys.executable,
        "-m",
        "pytest",
        target,
        "-q",
        "-p",
        "bench.timing",
        "--bench-timing",
        str(work / "timing.json"),
        "--free-ports",
        "--qe-out",
        str(out),
        "-o",
        f"qe_log_dir={out / 'logs'}",
        "--output",
        str(out / "artifacts"),
        *extra,
    ]


def run_once(work: Path, extra: Sequence[str], *, show: bool) -> dict[str, Any]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    command = acceptance_command(work, extra)
    load_before = load_now()
    spawned_at = time.time()
    began = time.perf_counter()
    proc = subprocess.run(
        command,
        cwd=REPO_ROOT,
        stdout=None if show else subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - began
    load_after = load_now()
    results_path = work / "out" / "results.json"
    timing_path = work / "timing.json"
    if not results_path.exists() or not timing_path.exists():
        tail = (proc.stdout or "")[-3000:]
        raise SystemExit(f"bench: the run left no results (exit {proc.returncode}):\n{tail}")
    results = json.loads(results_path.read_text())
    timing = json.loads(timing_path.read_text())
    breakdown = stats.run_breakdown(wall, spawned_at, results, timing)
    breakdown["exit_code"] = proc.returncode
    breakdown["load_before"], breakdown["load_after"] = load_before, load_after
    breakdown["items"] = {i["id"]: i["status"] for i in results.get("items", [])}
    return breakdown


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}


def split_args(argv: Sequence[str] | None) -> tuple[list[str], list[str]]:
    """The benchmark's own arguments, and those after ``--`` (for pytest)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if "--" not in args:
        return args, []
    cut = args.index("--")
    return args[:cut], args[cut + 1 :]


def main(argv: Sequence[str] | None = None) -> int:
    args, extra = split_args(argv)
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("-r", "--runs", type=int, default=5, help="full runs (default 5)")
    parser.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT, help="bench.json path")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor measurements")
    parser.add_argument("--show", action="store_true", help="show pytest's output")
    parser.add_argument("--keep", type=Path, default=None, help="keep each run's outputs here")
    options = parser.parse_args(args)
    if options.runs < 1:
        parser.error("--runs must be at least 1")
    about = machine()
    runs: list[dict[str, Any]] = []
    floors: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="qe-bench-") as scratch:
        root = options.keep or Path(scratch)
        for index in range(options.runs):
            work = root / f"run-{index + 1}"
            run = run_once(work, extra, show=options.show)
            runs.append(run)
            line = (
                f"run {index + 1}/{options.runs}: {run['full_run_s']:.2f}s {run['verdict']} "
                f"(load {run['load_before']:.2f} -> {run['load_after']:.2f})"
            )
            if not options.no_floor:
                floor_before = load_now()
                measured: dict[str, float] = dict(floor.measure(log_dir=work / "floor-logs"))
                measured.update(load_before=floor_before, load_after=load_now())
                floors.append(measured)
                line += (
                    f", floor {stats.floor_sum(measured):.2f}s "
                    f"(load {floor_before:.2f} -> {measured['load_after']:.2f})"
                )
            print(line, flush=True)
    about["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    shown = acceptance_command(Path("<work>"), extra)
    doc = stats.summarise(runs, floors, command=shown, machine=about)
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(doc, indent=1))
    print(stats.table(doc))
    print(f"bench.json: {options.out}")
    # Advisory warnings (a page budget on a loaded machine) do not spoil a timing; NO-GO does.
    failed = [i + 1 for i, r in enumerate(runs) if r["exit_code"] != 0 or r["verdict"] == "NO-GO"]
    if failed:
        print(f"bench: run(s) {failed} were NO-GO", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
