"""The README is part of the product: its first screen and its option table must stay true."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
README = (REPO_ROOT / "README.md").read_text()


def harness_options_from_help() -> set[str]:
    """The options of the harness's own group, as `pytest --help` shows them."""
    help_text = subprocess.run(
        [sys.executable, "-m", "pytest", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    group = help_text.split("QE acceptance harness:\n", 1)[1].split("\n\n", 1)[0]
    return set(re.findall(r"^  (--[a-z][a-z-]*)", group, flags=re.MULTILINE))


def options_in_readme_table() -> set[str]:
    table = README.split("## Every option", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(--[a-z][a-z-]*)`", table, flags=re.MULTILINE))


def test_the_option_table_lists_exactly_the_harness_options() -> None:
    assert options_in_readme_table() == harness_options_from_help()


def test_the_first_screen_has_the_two_commands() -> None:
    first_screen = "\n".join(README.splitlines()[:25])

    assert "make acceptance" in first_screen
    assert "make test" in first_screen


def test_the_makefile_has_every_target_the_readme_names() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text()
    named = set(re.findall(r"`make ([a-z-]+)", README))

    missing = {target for target in named if not re.search(rf"^{target}:", makefile, re.M)}
    assert missing == set()
