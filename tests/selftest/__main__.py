"""``python -m tests.selftest``: the self-test runner (``make selftest``); see ``runner.py``."""

from tests.selftest.runner import main

raise SystemExit(main())
