"""Run small synthetic acceptance suites in a real pytest subprocess with the results plugin.

The pytester plugin itself is loaded by each test module (``pytest_plugins`` in a non-root
conftest is an error in pytest 9 when the whole tree is collected).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET_ENV = ("TRADIER_TOKEN", "AUTH_SECRET", "SENTRY_DSN", "QE_PASSWORD")
# The synthetic suites run as strict as the real one.
INI = """[pytest]
strict_markers = true
strict_config = true
filterwarnings =
    error
"""


def run_facts(**overrides: Any) -> dict[str, Any]:
    """The ``run`` part of a results file, as much as the templates read, with ``overrides``."""
    return {
        "started_at": "2026-11-29T04:00:00Z",
        "started_at_display": "2026-11-29 04:00 UTC",
        "run_mode": "ci",
        "release": None,
        "commit": "abc",
        "branch": "main",
        "dirty": False,
        "duration_s": 1.0,
        "facts": {},
        **overrides,
    }


@dataclass
class Run:
    result: pytest.RunResult
    out: Path

    @property
    def results(self) -> dict[str, Any]:
        return json.loads((self.out / "results.json").read_text(encoding="utf-8"))

    @property
    def checklist(self) -> str:
        return (self.out / "QE_ACCEPTANCE_CHECKLIST.md").read_text(encoding="utf-8")

    @property
    def junit(self) -> str:
        return (self.out / "junit.xml").read_text(encoding="utf-8")

    def item(self, item_id: str) -> dict[str, Any]:
        return next(i for i in self.results["items"] if i["id"] == item_id)

    def test(self, name: str) -> dict[str, Any]:
        return next(t for t in self.results["tests"] if t["nodeid"].endswith(name))


class Suite:
    """A throwaway acceptance suite: a catalogue, test files, and a way to run them."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        self.path = pytester.path
        pytester.makeini(INI)

    def catalogue(self, **required: bool) -> None:
        """catalogue(OC_01=True, API_09=False): items in this order, required or advisory."""
        entries = [
            f'[[item]]\nid = "{key.replace("_", "-")}"\ntitle = "Title of {key}"\n'
            f'criterion = "{key} works"\nrequired = {str(flag).lower()}\nwhere = "both"\n'
            for key, flag in required.items()
        ]
        (self.path / "checklist.toml").write_text("\n".join(entries), encoding="utf-8")

    def run(self, *args: str) -> Run:
        result = self.pytester.runpytest_subprocess(
            "-p", "reports.plugin", "--qe-catalogue", "checklist.toml", *args, timeout=120
        )
        return Run(result, self.path / "reports" / "out")

    def cli(self, *args: str) -> pytest.RunResult:
        return self.pytester.run(sys.executable, "-m", "reports.checklist", *args, timeout=60)


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Suite:
    """A synthetic suite in pytester's folder, with the repo importable and no QE env leaking in."""
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))
    for name in ("QE_RUN_MODE", "QE_HISTORY_DIR", *SECRET_ENV):
        monkeypatch.delenv(name, raising=False)
    return Suite(pytester)
