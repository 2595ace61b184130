"""Pytest plugin the benchmark loads (``-p bench.timing``): where an acceptance run spends time.

Writes ``<--bench-timing PATH>`` (JSON) at the very end of the run:

- ``marks``: wall-clock instants (epoch seconds) of the run's milestones: plugin configured,
  collection done, first test started, last test finished, session finish begun / ended;
- ``phases``: per test node id, one entry per attempt with the ``setup``/``call``/``teardown``
  durations pytest measured (the controller sees every worker's reports under xdist);
- ``browser_launch_s``: time to set up the session ``browser`` fixture (the launch or connect),
  one figure per process that launched one;
- ``harness_stop_s`` (servers stopped, ENV checks), ``results_s`` (results built, secrets scanned,
  results.json/junit/checklist written) and ``checklist_render_s`` (the checklist markdown alone).

It only observes: every wrapped function is called with the same arguments and its result or
exception passed on unchanged.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest

WORKEROUTPUT_KEY = "bench_timing"
timing_key = pytest.StashKey[dict[str, Any]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("bench").addoption(
        "--bench-timing", default=None, metavar="PATH", help="write run timings (JSON) to PATH"
    )


def _timed(store: dict[str, Any], key: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            store[key] = store.get(key, 0.0) + time.perf_counter() - began

    return wrapper


def _patch(store: dict[str, Any], module: Any, name: str, key: str) -> None:
    original = getattr(module, name, None)
    if callable(original):
        setattr(module, name, _timed(store, key, original))


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    store: dict[str, Any] = {
        "marks": {"configured": time.time()},
        "phases": {},
        "browser_launch_s": [],
    }
    config.stash[timing_key] = store
    if getattr(config, "workerinput", None) is not None:
        return
    config.pluginmanager.register(_Reports(store), "bench-timing-reports")
    # Module-level functions the plugins look up at call time, so wrapping them here times them.
    import fixtures.lifecycle
    import reports.checklist
    import reports.plugin

    _patch(store, fixtures.lifecycle, "_stop", "harness_stop_s")
    _patch(store, reports.plugin, "_finish", "results_s")
    _patch(store, reports.checklist, "write", "checklist_render_s")


def _store(config: pytest.Config) -> dict[str, Any]:
    return config.stash[timing_key]


def pytest_collection_finish(session: pytest.Session) -> None:
    _store(session.config)["marks"]["collected"] = time.time()


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: Any) -> Generator[None, Any, None]:
    began = time.perf_counter()
    yield
    if fixturedef.argname == "browser":
        _store(request.config)["browser_launch_s"].append(time.perf_counter() - began)


class _Reports:
    """Collects every phase report; under xdist the controller receives the workers' reports."""

    def __init__(self, store: dict[str, Any]) -> None:
        self.store = store

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        marks = self.store["marks"]
        start = getattr(report, "start", None)
        stop = getattr(report, "stop", None)
        if start is not None:
            marks["first_test"] = min(marks.get("first_test", start), start)
        if stop is not None:
            marks["last_test"] = max(marks.get("last_test", stop), stop)
        attempts = self.store["phases"].setdefault(report.nodeid, [])
        if report.when == "setup" or not attempts:
            attempts.append({})
        attempts[-1][report.when] = round(report.duration, 6)
        attempts[-1][f"{report.when}_outcome"] = report.outcome


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> Generator[None, Any, None]:
    store = _store(session.config)
    store["marks"]["finish_begun"] = time.time()
    yield
    store["marks"]["finish_ended"] = time.time()
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[WORKEROUTPUT_KEY] = {"browser_launch_s": store["browser_launch_s"]}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    reported = getattr(node, "workeroutput", {}).get(WORKEROUTPUT_KEY)
    if reported:
        _store(node.config)["browser_launch_s"].extend(reported["browser_launch_s"])


def pytest_unconfigure(config: pytest.Config) -> None:
    path = config.getoption("--bench-timing")
    worker = getattr(config, "workerinput", None) is not None
    if not path or worker or timing_key not in config.stash:
        return
    store = _store(config)
    store["marks"]["unconfigured"] = time.time()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(store, indent=1, sort_keys=True))
