"""The run-mode table (reports/modes.py): each mode defined once, and every user of a mode's rule
(results plugin, checklist CLI, template, browser evidence, Makefile) takes it from there."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from fixtures import browser
from reports import catalogue, checklist, modes, results, runinfo
from tests.reports.conftest import run_facts

REPO_ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = catalogue.from_dicts(
    [{"id": "OC-01", "title": "Chain", "criterion": "c", "required": True, "where": "both"}]
)


def test_each_mode_says_what_fails_it_what_it_keeps_and_what_it_writes() -> None:
    assert modes.NAMES == ("ci", "nightly", "release")
    rules = {
        name: (m.fail_on_warnings, m.keeps_history, m.signoff, m.evidence, m.partial_allowed)
        for name, m in modes.MODES.items()
    }
    assert rules == {
        "ci": (False, False, False, "lean", True),
        "nightly": (False, True, False, "lean", False),
        "release": (True, False, True, "full", False),
    }


@pytest.mark.parametrize(
    ("option", "env", "release", "expected"),
    [
        (None, None, None, "ci"),
        (None, None, "1.4.0", "release"),
        (None, "nightly", "1.4.0", "nightly"),
        ("ci", "release", None, "ci"),
        (None, "", None, "ci"),
    ],
)
def test_the_mode_comes_from_the_option_then_the_environment_then_a_release_name(
    option: str | None, env: str | None, release: str | None, expected: str
) -> None:
    assert modes.resolve(option, env, release).name == expected


def test_an_unknown_mode_in_the_environment_is_named() -> None:
    with pytest.raises(ValueError, match="QE_RUN_MODE='weekly' is not one of ci, nightly"):
        modes.resolve(None, "weekly", None)


@pytest.mark.parametrize(
    ("verdict", "mode", "fails"),
    [
        ("NO-GO", "ci", True),
        ("GO WITH WARNINGS", "ci", False),
        ("GO WITH WARNINGS", "nightly", False),
        ("GO WITH WARNINGS", "release", True),
        ("GO", "release", False),
    ],
)
def test_what_fails_a_run_is_the_modes_rule(verdict: str, mode: str, fails: bool) -> None:
    assert modes.fails(verdict, modes.get(mode)) is fails


def test_the_makefile_names_the_mode_and_keeps_no_rule_of_its_own() -> None:
    signoff = re.search(r"^signoff:.*?(?=^\S)", (REPO_ROOT / "Makefile").read_text(), re.M | re.S)

    assert signoff is not None
    assert "--run-mode release" in signoff.group(0)
    assert "--fail-on-warnings" not in signoff.group(0)


def _results(run_mode: str, release: str | None, outcomes: list[str]) -> dict[str, Any]:
    run = run_facts(run_mode=run_mode, release=release)
    attempts = [
        {"outcome": o, "when": None, "duration_s": 0.1, "start": float(n), "evidence": []}
        for n, o in enumerate(outcomes)
    ]
    for attempt in attempts:
        attempt["error"] = "boom" if attempt["outcome"] == "failed" else None
    tests = [{"nodeid": "t::chain", "items": ["OC-01"], "attempts": attempts}]
    return results.build(CATALOGUE, tests, run)


@pytest.mark.parametrize(
    ("run_mode", "release", "block"), [("release", "1.4.0", True), ("nightly", "1.4.0", False)]
)
def test_the_signoff_block_is_the_modes(
    tmp_path: Path, run_mode: str, release: str, block: bool
) -> None:
    built = _results(run_mode, release, ["passed"])

    document = checklist.render(built, tmp_path / "c.md", tmp_path)

    assert ("## Sign-off" in document) is block


@pytest.mark.parametrize(("args", "code"), [((), 0), (("--release", "1.4.0"), 1)])
def test_the_cli_exit_status_follows_the_modes_rule(
    tmp_path: Path, args: tuple[str, ...], code: int
) -> None:
    saved = tmp_path / "results.json"
    saved.write_text(json.dumps(_results("ci", None, ["failed", "passed"])), encoding="utf-8")

    assert checklist.main([str(saved), "-o", str(tmp_path / "c.md"), "--no-html", *args]) == code
    assert ("release run" in (tmp_path / "c.md").read_text()) is bool(args)


class _Config:
    """Just enough of a pytest config for the evidence default."""

    def __init__(self, mode: modes.RunMode) -> None:
        self.stash: dict[Any, Any] = {runinfo.mode_key: mode}

    def getoption(self, name: str, default: Any = None) -> Any:
        return default


@pytest.mark.parametrize(("mode", "policy"), [("ci", "lean"), ("release", "full")])
def test_the_evidence_default_is_the_modes(mode: str, policy: str) -> None:
    assert browser.evidence_policy(_Config(modes.get(mode))) == policy  # type: ignore[arg-type]
