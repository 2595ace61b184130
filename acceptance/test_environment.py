"""Environment checks (ENV-01, ENV-02): the run started clean and talks only to its own servers.

ENV-04 (nothing left after teardown) is not a test: the harness records it after stopping the
servers (``harness::ENV-04`` in the results).
"""

from __future__ import annotations

import pytest

from fixtures.server_fixtures import Environment
from fixtures.servers import RunningServer


@pytest.mark.checklist("ENV-01")
def test_every_port_was_free_or_reclaimed_before_start(
    qe_environment: Environment, stack_servers: dict[str, RunningServer]
) -> None:
    if qe_environment.mode == "target":
        pytest.skip("target mode starts no server, so no port was guarded")
    outcomes = {outcome.name: outcome for outcome in qe_environment.port_outcomes}

    assert set(outcomes) == set(qe_environment.servers), "a started server's port was not guarded"
    assert all(o.status in ("free", "reclaimed") for o in outcomes.values()), [
        o.detail for o in outcomes.values()
    ]
    assert all(o.port == qe_environment.servers[o.name].port for o in outcomes.values())


@pytest.mark.checklist("ENV-02")
def test_port_is_answered_only_by_the_process_the_harness_started(
    qe_environment: Environment, stack_server: RunningServer | None
) -> None:
    # One test per server of the stack file (the harness parametrizes stack_server).
    if qe_environment.mode == "target" or stack_server is None:
        pytest.skip("target mode: the harness started no process to compare against")

    assert qe_environment.identity_problems(stack_server.name) == []
