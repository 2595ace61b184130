"""The run-wide environment checks, judged from the facts the process layer reports at the end.

``fixtures/lifecycle.py`` reports how the stack ended (``fixtures/hookspecs.py``); the suite's
conftest hands those facts here, and each judgement is a harness check of the checklist
(``harness::ENV-0x`` in the results), not a test:

- ENV-04: nothing the harness started is left running or listening after teardown;
- ENV-05: every server's own pre-launch check (``backend.prelaunch --strict``) passed.

(ENV-03, the servers' logs, is judged by the conftest's ``_no_server_errors_in_the_run``.)
"""

from __future__ import annotations

import pytest

from fixtures.hookspecs import StackFacts
from fixtures.servers import StopReport
from reports import runinfo

# How the app reports upstream faults; whether one was expected is judged per test by the
# suite's server-side correlation (conftest.py), so the run-wide ENV-03 check lets them pass.
UPSTREAM_FAULT_STATUSES = frozenset({502, 504})
TEARDOWN_ITEM = "ENV-04"
PREFLIGHT_ITEM = "ENV-05"


def judge_preflights(config: pytest.Config, facts: StackFacts) -> None:
    """ENV-05 per pre-launch check that ran to its end (none when the run was interrupted)."""
    for outcome in facts.preflights:
        detail = f"{outcome.server}: {outcome.detail}"
        runinfo.record_check(config, PREFLIGHT_ITEM, outcome.passed, detail)


def judge_teardown(config: pytest.Config, report: StopReport) -> None:
    """ENV-04: every process tree gone and every port free."""
    runinfo.record_check(config, TEARDOWN_ITEM, report.ok, report.detail)
