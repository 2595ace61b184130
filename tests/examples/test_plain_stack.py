"""The plain stack (examples/plain-stack/): the reference app started the way an adopting team
starts its own (``uvicorn --workers 2`` with default logging and no instance-id echo, a Node
frontend), configured by its stack file alone, gives GO; with the backend's processes killed
mid-run, NO-GO with the remaining tests that need it blocked. Slow: a real acceptance run each
(real servers, real Chromium).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.fixtures.support import gone, wait_for
from tests.support.procs import REPO_ROOT

pytestmark = pytest.mark.slow

STACK_FILE = REPO_ROOT / "examples" / "plain-stack" / "stack.toml"
RUN_TIMEOUT_S = 1200


def _acceptance(out: Path, state: Path) -> subprocess.Popen[bytes]:
    with (out.parent / f"{out.name}.log").open("wb") as log:  # the child has its own copy
        return subprocess.Popen(
            [
                sys.executable, "-m", "pytest", "acceptance", "--stack-file", str(STACK_FILE),
                "--free-ports", "--qe-out", str(out), "-p", "no:cacheprovider",
            ],
            cwd=REPO_ROOT,
            env={**os.environ, "QE_STATE_DIR": str(state)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip


def _finish(proc: subprocess.Popen[bytes], out: Path) -> tuple[int, dict[str, Any], str]:
    try:
        code = proc.wait(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    output = (out.parent / f"{out.name}.log").read_text(errors="replace")
    results_path = out / "results.json"
    assert results_path.exists(), output[-3000:]
    return code, json.loads(results_path.read_text()), output


def test_the_plain_stack_gives_go(tmp_path: Path) -> None:
    out = tmp_path / "out"

    code, results, output = _finish(_acceptance(out, tmp_path / "state"), out)

    assert results["verdict"] == "GO", (results["reason"], output[-3000:])
    assert code == 0
    identity = results["run"]["facts"]["server_identity"]
    assert identity["backend"].startswith("process tree: every listener on port")
    assert identity["frontend"].startswith("process tree: every listener on port")
    assert identity["stub"].startswith("instance id echoed")
    checklist = (out / "QE_ACCEPTANCE_CHECKLIST.md").read_text()
    assert "| Server identity | " in checklist


def _backend_record(state: Path) -> dict[str, Any] | None:
    for path in (state / "servers").glob("backend-*.json"):
        return json.loads(path.read_text())
    return None


def test_killing_the_backends_processes_mid_run_gives_no_go_blocked(tmp_path: Path) -> None:
    out, state = tmp_path / "out", tmp_path / "state"
    proc = _acceptance(out, state)
    try:
        assert wait_for(lambda: _backend_record(state) is not None, 300, interval=0.2)
        record = _backend_record(state)
        assert record is not None
        log = out / "logs" / "backend.log"
        # Mid-run: once the suite has asked the backend for market data.
        assert wait_for(
            lambda: log.exists() and b"/api/options/" in log.read_bytes(), 300, interval=0.2
        ), "the run never reached the backend"
        master = psutil.Process(record["pid"])
        workers = master.children(recursive=True)
        assert workers, "uvicorn --workers 2 started no worker"
        master.kill()  # first, so that it cannot replace its workers
        for worker in workers:
            worker.kill()
    except BaseException:
        proc.kill()
        raise

    code, results, output = _finish(proc, out)

    assert code != 0
    assert results["verdict"] == "NO-GO"
    assert "blocked (backend exited with code -9 (SIGKILL)" in results["reason"], results["reason"]
    blocked = [t for t in results["tests"] if t["status"] == "blocked"]
    assert blocked, output[-3000:]
    # Nothing of the killed backend is left, workers included, and every port is free (ENV-04).
    assert all(gone(worker.pid) for worker in workers)
    assert {i["id"]: i["status"] for i in results["items"]}["ENV-04"] == "pass"
