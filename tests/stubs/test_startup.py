"""The stubs refuse to start on bad configuration with one clear line and exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.procs import REPO_ROOT, free_port


def _run_tradier(env_overrides: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TRADIER_TOKEN", "STUB_AS_OF")}
    return subprocess.run(
        [sys.executable, "-m", "stubs.tradier", "--port", str(free_port())],
        cwd=REPO_ROOT,
        env={**env, **env_overrides},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_tradier_stub_without_a_token_exits_2_naming_it() -> None:
    result = _run_tradier({})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "stubs.tradier: TRADIER_TOKEN is not set (the bearer token the stub accepts)"
    ]


def test_tradier_stub_with_a_malformed_as_of_date_exits_2_naming_it() -> None:
    result = _run_tradier({"TRADIER_TOKEN": "t", "STUB_AS_OF": "20-11-2026"})
    assert result.returncode == 2
    assert "STUB_AS_OF" in result.stderr
