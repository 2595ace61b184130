"""``python -m bench.peer`` (``make bench-peer``): the nine scenarios, harness vs Playwright Test.

The peer is a Playwright Test (TypeScript) port of OC-01..OC-09 against the same app (its folder
from ``PWPEER_DIR``, default ``../shared/pwpeer`` from the repository root; read-only, so it is
copied to a cache folder and ``npm ci``-installed there once per peer version). Each round runs
both, one after the other, alternating which goes first, in the same serial layout (one worker;
the peer with ``PWPEER_LAYOUT=serial``): ``pytest acceptance/test_options_chain.py`` with the
harness's own evidence defaults, and ``playwright test --workers 1`` with Playwright's (or the
harness's policy with ``--peer-evidence python``). Each side is a whole process, spawn to exit:
servers, browser, the nine scenarios, teardown.

Writes ``reports/out/bench-peer.json``: per pair the wall and CPU seconds of both and the ratio
harness/peer; ``ratio`` is the median of the pairs' wall ratios (target: at most 0.8). A pair
whose loads differ a lot (bench/load.py) is listed but not compared. Skips, exit 0, with a line
saying why when Node/npm or the peer is missing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import peerstats
from bench.__main__ import acceptance_command, split_args
from bench.load import DEFAULT_TOLERANCE, load_now
from bench.measure import run_measured
from fixtures.ports import port_state

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "reports" / "out" / "bench-peer.json"
PEER_ENV = "PWPEER_DIR"
DEFAULT_PEER_DIR = Path("..") / "shared" / "pwpeer"
CACHE_ROOT = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "qe-harness"
SCENARIOS = "acceptance/test_options_chain.py"
# support/stack.ts: the peer's servers listen on these fixed ports.
PEER_PORTS = (9101, 9102, 9103, 9104)


class Skip(Exception):
    """The comparison cannot run here; the message says why and what to do."""


def peer_source() -> Path:
    raw = os.environ.get(PEER_ENV)
    folder = Path(raw) if raw else DEFAULT_PEER_DIR
    folder = folder if folder.is_absolute() else (REPO_ROOT / folder)
    if not (folder / "package.json").is_file() or not (folder / "playwright.config.ts").is_file():
        raise Skip(
            f"no Playwright Test peer at {folder} (package.json, playwright.config.ts); "
            f"set {PEER_ENV} to its folder"
        )
    return folder.resolve()


def _tools() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        raise Skip("Node.js and npm are needed for the peer (not on PATH); install them")
    return node, npm


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and relative.parts[0] not in {"node_modules", "test-results"}:
            digest.update(str(relative).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def installed_peer(source: Path, npm: str) -> Path:
    """A writable, installed copy of the peer (cached by the content of its files)."""
    copy = CACHE_ROOT / f"pwpeer-{_digest(source)}"
    if (copy / "node_modules" / ".bin" / "playwright").exists():
        return copy
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("node_modules", "test-results"))
    for path in [copy, *copy.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    print(f"bench-peer: installing the peer in {copy} (npm ci, once)", flush=True)
    env = {**os.environ, "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        shutil.rmtree(copy, ignore_errors=True)
        raise Skip(f"npm ci failed in the peer copy (exit {done.returncode}): {done.stderr[-500:]}")
    return copy


def _check_peer_ports() -> None:
    busy = [port for port in PEER_PORTS if not port_state(port).free]
    if busy:
        raise SystemExit(
            f"bench-peer: the peer's fixed ports {busy} are in use (another peer run?); "
            "wait for it to end or free them"
        )


def harness_command(work: Path, extra: Sequence[str]) -> list[str]:
    return acceptance_command(work, [*extra], target=SCENARIOS)


def peer_command(node: str, peer: Path) -> list[str]:
    cli = peer / "node_modules" / "@playwright" / "test" / "cli.js"
    return [node, str(cli), "test", "--workers", "1", "--reporter", "line,json"]


def run_harness(work: Path, extra: Sequence[str]) -> dict[str, Any]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    measured = run_measured(harness_command(work, extra), cwd=REPO_ROOT, log=work / "output.log")
    timing_path = work / "timing.json"
    timing = json.loads(timing_path.read_text()) if timing_path.exists() else {}
    side = measured.figures()
    side["scenarios"] = peerstats.harness_scenarios(timing)
    side["passed"] = peerstats.harness_passed(timing)
    return side


def run_peer(node: str, peer: Path, work: Path, evidence: str) -> dict[str, Any]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    _check_peer_ports()
    report = work / "report.json"
    env = {
        **os.environ,
        "PWPEER_APP_DIR": str(REPO_ROOT),
        "PWPEER_LAYOUT": "serial",
        "PLAYWRIGHT_JSON_OUTPUT_NAME": str(report),
    }
    env.pop("PWPEER_RUN", None)
    if evidence == "python":
        env["PWPEER_EVIDENCE"] = "python"
    else:
        env.pop("PWPEER_EVIDENCE", None)
    measured = run_measured(peer_command(node, peer), cwd=peer, env=env, log=work / "output.log")
    data = json.loads(report.read_text()) if report.exists() else {}
    side = measured.figures()
    side["scenarios"] = peerstats.peer_scenarios(data)
    side["passed"] = peerstats.peer_passed(data)
    return side


def main(argv: Sequence[str] | None = None) -> int:
    args, extra = split_args(argv)
    parser = argparse.ArgumentParser(prog="python -m bench.peer", description=__doc__)
    parser.add_argument("-r", "--runs", type=int, default=5, help="pairs (default 5)")
    parser.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT, help="bench-peer.json path")
    parser.add_argument(
        "--peer-evidence",
        choices=("default", "python"),
        default="default",
        help="the peer's evidence: Playwright's defaults, or the harness's old policy",
    )
    parser.add_argument(
        "--load-tolerance",
        type=float,
        default=DEFAULT_TOLERANCE,
        help=f"pairs whose loads differ by more than this share are not compared "
        f"(default {DEFAULT_TOLERANCE})",
    )
    parser.add_argument("--keep", type=Path, default=None, help="keep each run's outputs here")
    options = parser.parse_args(args)
    if options.runs < 1:
        parser.error("--runs must be at least 1")
    try:
        node, npm = _tools()
        peer = installed_peer(peer_source(), npm)
    except Skip as exc:
        print(f"bench-peer: skipped: {exc}", flush=True)
        return 0
    cpus = os.cpu_count() or 1
    machine = {"cpus": cpus, "loadavg_at_start": load_now()}
    pairs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="qe-bench-peer-") as scratch:
        root = options.keep or Path(scratch)
        for index in range(options.runs):
            harness_first = index % 2 == 0
            order = ("harness", "peer") if harness_first else ("peer", "harness")
            sides: dict[str, dict[str, Any]] = {}
            for side in order:
                work = root / f"pair-{index + 1}" / side
                if side == "harness":
                    sides[side] = run_harness(work, extra)
                else:
                    sides[side] = run_peer(node, peer, work, options.peer_evidence)
            pair = peerstats.pair(
                sides["harness"],
                sides["peer"],
                order=order,
                cpus=cpus,
                tolerance=options.load_tolerance,
            )
            pairs.append(pair)
            print(peerstats.pair_line(index + 1, options.runs, pair), flush=True)
    machine["loadavg_at_end"] = load_now()
    doc = peerstats.summarise(
        pairs,
        machine=machine,
        harness_command=harness_command(Path("<work>"), extra),
        peer_command=peer_command("node", Path("<peer>")),
        peer_dir=str(peer),
        peer_evidence=options.peer_evidence,
    )
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(doc, indent=1))
    print(peerstats.table(doc))
    print(f"bench-peer.json: {options.out}")
    if doc["ratio"] is None:
        print(
            "bench-peer: no pair was comparable (load changed too much, or a side failed)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
