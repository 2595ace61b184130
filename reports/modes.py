"""Run modes (ci, nightly, release): what each one is, defined once.

The results plugin settles a run's mode (``resolve``) and takes from it what fails the run, whether
the history is kept and whether the run may be partial; the checklist CLI and the templates take
whether a sign-off block is written; the browser layer its default evidence policy; API-10 its
fuzzing budget and seed; the Makefile's ``signoff`` target only names the mode. Pure data, no
pytest: the generator reads it on saved results too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reports.results import NO_GO, WARN


@dataclass(frozen=True)
class RunMode:
    name: str
    purpose: str
    # GO WITH WARNINGS fails the run (exit non-zero), as NO-GO always does.
    fail_on_warnings: bool
    # The run is appended to the results history and the checklist shows each item's trend.
    keeps_history: bool
    # The checklist carries a sign-off block (release, commit, verdict, approvers); needs a name.
    signoff: bool
    # Default evidence policy (``--evidence``): lean keeps what a failure needs, full records
    # video on every attempt and a screenshot per failure; ``keep_pass_evidence`` adds evidence
    # of passing attempts (a final screenshot per scenario, every test's server-log lines).
    evidence: str
    keep_pass_evidence: bool
    # ``--items`` (a partial run) is allowed: a sign-off and a history need every item.
    partial_allowed: bool
    # API-10: generated cases per operation, and a fixed seed (a regression gate: a finding is a
    # change in the app, not luck) or a fresh one per run (exploration).
    fuzz_cases: int
    fixed_fuzz_seed: bool


CI = RunMode(
    name="ci",
    purpose="the gate of every push: the checklist",
    fail_on_warnings=False,
    keeps_history=False,
    signoff=False,
    evidence="lean",
    keep_pass_evidence=False,
    partial_allowed=True,
    fuzz_cases=8,
    fixed_fuzz_seed=True,
)
NIGHTLY = RunMode(
    name="nightly",
    purpose="the scheduled run: history and each item's flake rate",
    fail_on_warnings=False,
    keeps_history=True,
    signoff=False,
    evidence="lean",
    keep_pass_evidence=False,
    partial_allowed=False,
    fuzz_cases=150,
    fixed_fuzz_seed=False,
)
RELEASE = RunMode(
    name="release",
    purpose="the sign-off of a named release: warnings fail it, evidence for passes too",
    fail_on_warnings=True,
    keeps_history=False,
    signoff=True,
    evidence="full",
    keep_pass_evidence=True,
    partial_allowed=False,
    fuzz_cases=40,
    fixed_fuzz_seed=False,
)
MODES: dict[str, RunMode] = {mode.name: mode for mode in (CI, NIGHTLY, RELEASE)}
NAMES = tuple(MODES)
DEFAULT = CI.name


def get(name: str | None) -> RunMode:
    """The mode called ``name`` (None: the default); ``ValueError`` for an unknown name."""
    if name is None:
        return MODES[DEFAULT]
    try:
        return MODES[name]
    except KeyError:
        raise ValueError(f"run mode {name!r} is not one of {', '.join(NAMES)}") from None


def resolve(option: str | None, env: str | None, release: str | None) -> RunMode:
    """A run's mode: ``--run-mode``, else env ``QE_RUN_MODE``, else release when a release is
    named (``--release``), else ci. ``ValueError`` for an unknown name."""
    env = env or None
    if option is None and env is None and release:
        return RELEASE
    if option is None and env is not None and env not in MODES:
        raise ValueError(f"QE_RUN_MODE={env!r} is not one of {', '.join(NAMES)}")
    return get(option or env)


def of_run(run: Mapping[str, Any]) -> RunMode:
    """The mode a results file's run was in (results from before modes: ci)."""
    return MODES.get(str(run.get("run_mode") or DEFAULT), CI)


def fails(verdict: str, mode: RunMode, fail_on_warnings: bool = False) -> bool:
    """Whether ``verdict`` fails a run in ``mode`` (``fail_on_warnings``: asked for by hand)."""
    if verdict == NO_GO:
        return True
    return verdict == WARN and (mode.fail_on_warnings or fail_on_warnings)
