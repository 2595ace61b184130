"""What the rest of the harness tells the results plugin during a run.

Kept import-light and free of fixtures so that both the process/browser layer (which produces
facts, secrets and evidence) and the results plugin (which consumes them) can use it without
importing each other. Per-test data rides on ``item.user_properties`` because those survive the
trip from an xdist worker to the controller; run-wide data lives in ``config.stash``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reports import modes
from reports.leaks import env_secrets
from reports.modes import RunMode
from reports.redaction import MIN_SECRET_LENGTH

BLOCKED_PROPERTY = "qe_blocked"
NOT_APPLICABLE_PROPERTY = "qe_not_applicable"
EVIDENCE_PROPERTY = "qe_evidence"
PAGE_TIMING_PROPERTY = "qe_page_timing"
EVIDENCE_KINDS = ("trace", "screenshot", "video", "log")

DEFAULT_OUT = Path("reports") / "out"

out_dir_key = pytest.StashKey[Path]()
secrets_key = pytest.StashKey[set[str]]()
facts_key = pytest.StashKey[dict[str, Any]]()


def set_out_dir(config: pytest.Config, path: Path) -> None:
    """Where this run writes everything it produces (``--qe-out``; set by the results plugin)."""
    config.stash[out_dir_key] = path


def out_dir(config: pytest.Config) -> Path:
    """The run's output folder: logs, artifacts and results of two runs never share a folder."""
    return config.stash.get(out_dir_key, None) or config.rootpath / DEFAULT_OUT


def register_secret(config: pytest.Config, value: str | None) -> None:
    """Remember a secret (configured, a password, a token issued during the run) so that every
    output is redacted of it where it is written and scanned for it at the end of the run."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        config.stash.setdefault(secrets_key, set()).add(value)


def secrets(config: pytest.Config) -> set[str]:
    """Every secret known so far: the registered ones and those of the environment."""
    return set(config.stash.get(secrets_key, set())) | env_secrets()


def record_fact(config: pytest.Config, key: str, value: Any) -> None:
    """Record a run fact (backend version, browser, ...) for the checklist's run table."""
    config.stash.setdefault(facts_key, {})[key] = value


def facts(config: pytest.Config) -> dict[str, Any]:
    return dict(config.stash.get(facts_key, {}))


def mark_blocked(item: pytest.Item, reason: str) -> None:
    """Flag the current attempt of ``item`` as blocked (a server it needs is gone), not failed."""
    item.user_properties.append((BLOCKED_PROPERTY, reason))


def mark_not_applicable(item: pytest.Item, reason: str) -> None:
    """Flag the current attempt of ``item`` as not applicable to this run (then ``pytest.skip``):
    the check has nothing to prove here, e.g. TLS on a plain-HTTP loopback target."""
    item.user_properties.append((NOT_APPLICABLE_PROPERTY, reason))


def add_evidence(item: pytest.Item, kind: str, path: str) -> None:
    """Attach an evidence file (relative to the repo root) to the current attempt of ``item``."""
    if kind not in EVIDENCE_KINDS:
        raise ValueError(f"evidence kind {kind!r} is not one of {EVIDENCE_KINDS}")
    item.user_properties.append((EVIDENCE_PROPERTY, f"{kind}:{path}"))


def record_page_timing(item: pytest.Item, name: str, ms: float) -> None:
    """Record a figure measured in the page (milliseconds) for the current attempt of ``item``."""
    item.user_properties.append((PAGE_TIMING_PROPERTY, f"{name}={ms}"))


mode_key = pytest.StashKey[RunMode]()


def set_run_mode(config: pytest.Config, mode: RunMode) -> None:
    """The run's mode, as the results plugin settled it (reports/modes.py)."""
    config.stash[mode_key] = mode


def run_mode(config: pytest.Config) -> RunMode:
    """The run's mode (ci until the results plugin has settled it)."""
    return config.stash.get(mode_key, None) or modes.get(None)


def keep_pass_evidence(config: pytest.Config) -> bool:
    """Whether the evidence producers keep evidence of passing attempts too (the mode's rule;
    release sign-off: a final-state screenshot per browser scenario, every test's server-log
    lines)."""
    return run_mode(config).keep_pass_evidence


checks_key = pytest.StashKey[list[dict[str, Any]]]()


def record_check(config: pytest.Config, item_id: str, passed: bool, detail: str) -> None:
    """Record a harness-level check (e.g. ENV-04 "nothing left running") that is not a test.

    The results plugin reports each one as a test of its own (``harness::<item_id>``) evidencing
    ``item_id``, so session-level facts such as a clean teardown reach the checklist.
    """
    config.stash.setdefault(checks_key, []).append(
        {"item": item_id, "passed": passed, "detail": detail}
    )


def checks(config: pytest.Config) -> list[dict[str, Any]]:
    return list(config.stash.get(checks_key, []))


stop_key = pytest.StashKey[dict[str, Any]]()
INTERRUPTED, ABORTED = "interrupted", "aborted"


def record_stop(config: pytest.Config, kind: str, **details: Any) -> None:
    """Record why the run ended early; the first record wins (it is the cause, the rest follow).

    ``kind`` is ``"interrupted"`` (``signal``, and ``nodeid`` of the test in flight or the
    ``phase``) or ``"aborted"`` (``cause``: one line, and ``fix``: the command that fixes it).
    The verdict's first line states it instead of blaming the app.
    """
    if kind not in (INTERRUPTED, ABORTED):
        raise ValueError(f"stop kind {kind!r} is not one of {INTERRUPTED!r}, {ABORTED!r}")
    config.stash.setdefault(stop_key, {"kind": kind, **details})


def stop(config: pytest.Config) -> dict[str, Any] | None:
    found = config.stash.get(stop_key, None)
    return dict(found) if found else None


timeline_key = pytest.StashKey[list[tuple[str, float]]]()


def mark(config: pytest.Config, label: str) -> None:
    """After an interrupt: note that a step of the wind-down begins (where its seconds go)."""
    found = config.stash.get(stop_key, None)
    if found is not None and found["kind"] == INTERRUPTED:
        config.stash.setdefault(timeline_key, []).append((label, time.time()))


def timeline(config: pytest.Config) -> list[tuple[str, float]]:
    """The wind-down's steps as (label, epoch seconds), in order."""
    return list(config.stash.get(timeline_key, []))


last_resort_key = pytest.StashKey[list[Callable[[], None]]]()


def on_last_resort(config: pytest.Config, write: Callable[[], None]) -> None:
    """Register what must still be written if an interrupted run's orderly stop overruns: the
    interrupt watchdog calls it (from its own thread) just before it ends the process."""
    config.stash.setdefault(last_resort_key, []).append(write)


def last_resorts(config: pytest.Config) -> list[Callable[[], None]]:
    return list(config.stash.get(last_resort_key, []))
