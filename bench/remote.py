"""Run the full acceptance suite through a remote browser on loopback: ``python -m bench.remote``.

``python -m bench.remote ws``  starts Playwright's ``launch-server`` (the Node driver bundled with
the playwright package) driving the system Chromium, and runs ``pytest acceptance
--browser-ws-endpoint ws://127.0.0.1:P/...``;
``python -m bench.remote cdp`` starts ``chromium --headless --remote-debugging-port=P`` and runs
``pytest acceptance --browser-cdp-endpoint http://127.0.0.1:P``.

The browser server is stopped (with everything it spawned) when the run ends. Arguments after the
mode go to pytest; ``--free-ports`` is always added. Exit code: pytest's.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from fixtures.browser_choice import find_system_chromium
from tests.browser.remote import cdp_chromium, playwright_browser_server

REPO_ROOT = Path(__file__).resolve().parents[1]
MODES = {"ws": "--browser-ws-endpoint", "cdp": "--browser-cdp-endpoint"}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in MODES:
        print("usage: python -m bench.remote ws|cdp [pytest args...]", file=sys.stderr)
        return 2
    mode, extra = args[0], args[1:]
    chromium = find_system_chromium()
    if chromium is None:
        print("bench.remote: no system Chromium to serve", file=sys.stderr)
        return 4
    start = playwright_browser_server if mode == "ws" else cdp_chromium
    with (
        tempfile.TemporaryDirectory(prefix=f"qe-remote-{mode}-") as work,
        start(chromium, Path(work)) as endpoint,
    ):
        print(f"bench.remote: {mode} browser server at {endpoint}", flush=True)
        command = [
            sys.executable,
            "-m",
            "pytest",
            "acceptance",
            "--free-ports",
            MODES[mode],
            endpoint,
            *extra,
        ]
        return subprocess.run(command, cwd=REPO_ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
