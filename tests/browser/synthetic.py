"""Run a synthetic pytest project that uses the browser plugin, in a real pytest subprocess.

The project gets the plugin the way the repository does (``pytest_plugins``), a ``base_url`` and
``desk_credentials`` for the local site, and a hook that writes every report (with its user
properties) as a JSON line, so a test can check what the results plugin would receive.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.browser.site import LocalSite
from tests.support.procs import REPO_ROOT

RUN_TIMEOUT_S = 180

CONFTEST = """
import json
import os
from types import SimpleNamespace

import pytest

pytest_plugins = ["fixtures.browser"]


@pytest.fixture(scope="session")
def base_url(pytestconfig):
    return pytestconfig.getoption("--base-url")


@pytest.fixture(scope="session")
def desk_credentials():
    return SimpleNamespace(username=os.environ["SITE_USER"], password=os.environ["SITE_PASSWORD"])


def pytest_runtest_logreport(report):
    line = {
        "nodeid": report.nodeid,
        "when": report.when,
        "outcome": report.outcome,
        "props": [list(prop) for prop in report.user_properties],
    }
    with open(os.environ["REPORT_LOG"], "a") as log:
        log.write(json.dumps(line) + "\\n")
"""

PYTEST_INI = """[pytest]
addopts = -p no:cacheprovider
strict_markers = true
markers =
    signed_out: the browser context starts without a session
filterwarnings =
    error
"""


@dataclass
class SyntheticRun:
    project: Path
    returncode: int
    output: str
    reports: list[dict[str, Any]]

    def artifacts_dir(self) -> Path:
        return self.project / "reports" / "out" / "artifacts"


def run_synthetic(
    project: Path,
    test_source: str,
    *args: str,
    site: LocalSite | None = None,
    env: dict[str, str] | None = None,
) -> SyntheticRun:
    """Write the project into ``project`` and run ``pytest`` there with ``args``."""
    project.mkdir(parents=True, exist_ok=True)
    (project / "conftest.py").write_text(CONFTEST)
    (project / "pytest.ini").write_text(PYTEST_INI)
    (project / "test_synthetic.py").write_text(textwrap.dedent(test_source))
    report_log = project / "reports.jsonl"
    full_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "QE_BROWSER_"))
    }
    full_env.update(PYTHONPATH=str(REPO_ROOT), REPORT_LOG=str(report_log))
    site_args: list[str] = []
    if site is not None:
        full_env.update(SITE_USER=site.username, SITE_PASSWORD=site.password)
        site_args = ["--base-url", site.url]
    full_env.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *site_args, *args],
        cwd=project,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    reports = (
        [json.loads(line) for line in report_log.read_text().splitlines()]
        if report_log.exists()
        else []
    )
    return SyntheticRun(project, done.returncode, done.stdout + done.stderr, reports)


def evidence_per_attempt(reports: list[dict[str, Any]]) -> list[list[list[str]]]:
    """The evidence entries (``[kind, path]``) each attempt added, read like the results plugin.

    Properties accumulate on the item across reruns, so an attempt's own entries are what its
    reports add to those of the report before.
    """
    attempts: list[list[list[str]]] = []
    seen: list[list[str]] = []
    for report in reports:
        props = report["props"]
        if props[: len(seen)] != seen:
            raise AssertionError(f"report properties do not extend the previous ones: {props}")
        if report["when"] == "setup":
            attempts.append([])
        attempts[-1] += [v.split(":", 1) for n, v in props[len(seen) :] if n == "qe_evidence"]
        seen = props
    return attempts
