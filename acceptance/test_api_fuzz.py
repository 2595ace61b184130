"""API-10: the backend holds its own OpenAPI schema under generated input (schemathesis)."""

from __future__ import annotations

import pytest

from acceptance.conftest import MARKET_DATA_GROUP, FuzzPlan
from acceptance.fuzz import fuzz_api
from fixtures.server_fixtures import Environment
from reports.runinfo import record_fact


@pytest.mark.checklist("API-10")
@pytest.mark.xdist_group(MARKET_DATA_GROUP)  # its requests read market data through the backend
def test_every_operation_holds_its_schema_under_fuzzing(
    api_url: str,
    desk_token: str,
    fuzz_plan: FuzzPlan,
    pytestconfig: pytest.Config,
    qe_environment: Environment,
) -> None:
    if qe_environment.mode == "target":
        # A target run is a polite client of a shared environment (paced, read-only); a fuzzer is
        # neither, so API-10 is proven on the bundled stack only (where = "bundled").
        pytest.skip("API-10 fuzzes only the bundled stack, never a shared deployment")
    record_fact(pytestconfig, "fuzz_seed", fuzz_plan.seed)

    report = fuzz_api(
        f"{api_url}/openapi.json",
        base_url=api_url,
        headers={"Authorization": f"Bearer {desk_token}"},
        cases_per_operation=fuzz_plan.cases_per_operation,
        fuzz_seed=fuzz_plan.seed,
    )

    record_fact(
        pytestconfig,
        "fuzz_cases",
        f"{report.cases} over {len(report.operations)} operation-modes "
        f"(<= {fuzz_plan.cases_per_operation} each, {fuzz_plan.run_mode} mode)",
    )
    assert report.cases > 0, "the schema lists no operation to fuzz"
    failures = "\n\n".join(f"== {op.label} ({op.mode})\n{op.failure}" for op in report.failures)
    assert not report.failures, (
        f"{len(report.failures)} operation(s) broke their schema; replay with "
        f"`pytest acceptance -k fuzzing --fuzz-seed {fuzz_plan.seed} "
        f"--fuzz-cases {fuzz_plan.cases_per_operation}`\n\n{failures}"
    )
