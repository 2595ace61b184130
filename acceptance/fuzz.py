"""API-10's fuzzer: requests generated from the backend's own OpenAPI schema (schemathesis).

Every operation the schema lists gets ``cases_per_operation`` generated requests, valid ones
(positive) and invalid ones (negative), signed in. Each answer must be no 5xx, conform to the
schema (status documented, content type, body schema) and, when it is a 4xx, be JSON with a
``code`` (CONTRACTS.md §3). Hypothesis drives generation with a fixed seed and no example
database, so the same seed, case count and schema replay the same requests.

The positions stream never ends: schemathesis reads an event stream only up to its first event
(``max-stream-events``), then judges it against the documented event schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
TIMEOUT_S = 10.0
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@dataclass
class OperationReport:
    """What fuzzing one operation in one generation mode found."""

    label: str
    mode: str
    cases: int = 0
    failure: str | None = None


@dataclass
class FuzzReport:
    seed: int
    cases_per_operation: int
    operations: list[OperationReport] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return sum(op.cases for op in self.operations)

    @property
    def failures(self) -> list[OperationReport]:
        return [op for op in self.operations if op.failure]


def four_xx_problem(response: Any) -> str | None:
    """Why a 4xx answer breaks the error contract (JSON with a ``code``), or None."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} is not JSON: {response.text[:200]!r}"
    if not isinstance(body, dict) or not isinstance(body.get("code"), str):
        return f"{response.status_code} JSON has no string 'code': {json.dumps(body)[:200]}"
    return None


def _run_case(case: Any, base_url: str, session: requests.Session) -> None:
    response = case.call(base_url=base_url, session=session, timeout=TIMEOUT_S)
    case.validate_response(response, checks=CHECKS)
    problem = four_xx_problem(response)
    if problem:
        raise AssertionError(
            f"a 4xx answer breaks the error contract: {problem}\n\nReproduce with:\n\n"
            f"    {case.as_curl_command(base_url=base_url)}"
        )


def _modes(operation: Any) -> tuple[GenerationMode, ...]:
    """Negative input only where a request can break the schema: its query or its body. The
    headers are ours (the token), and without either Hypothesis spends seconds proving that
    nothing can be negated."""
    if len(operation.query) or len(operation.body):
        return MODES
    return (GenerationMode.POSITIVE,)


def fuzz_operation(
    operation: Any,
    mode: GenerationMode,
    *,
    base_url: str,
    headers: Mapping[str, str],
    cases: int,
    fuzz_seed: int,
    session: requests.Session,
) -> OperationReport:
    """Send up to ``cases`` generated requests for ``operation``; stop at the first failure."""
    report = OperationReport(f"{operation.method.upper()} {operation.path}", mode.value)
    strategy = operation.as_strategy(generation_mode=mode, headers=dict(headers))

    @settings(
        max_examples=cases,
        database=None,
        deadline=None,
        derandomize=False,
        # No shrinking: the failing request is printed as it was sent, and replays by seed.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @seed(fuzz_seed)
    @given(strategy)
    def run(case: Any) -> None:
        report.cases += 1
        _run_case(case, base_url, session)

    try:
        run()
    except (AssertionError, FailureGroup) as exc:
        report.failure = str(exc)
    except Unsatisfiable:
        # Nothing to vary (no parameters, or nothing invalid to send): fewer cases, no failure.
        pass
    return report


def fuzz_api(
    schema_url: str,
    *,
    base_url: str,
    headers: Mapping[str, str],
    cases_per_operation: int,
    fuzz_seed: int,
    on_operation: Callable[[OperationReport], None] | None = None,
) -> FuzzReport:
    """Fuzz every operation of the schema at ``schema_url`` against ``base_url``."""
    # An explicit config: a schemathesis.toml lying around must not change what API-10 checks.
    config = schemathesis.Config.from_dict({"max-stream-events": 1})
    schema = schemathesis.openapi.from_url(schema_url, config=config, timeout=TIMEOUT_S)
    report = FuzzReport(fuzz_seed, cases_per_operation)
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in _modes(operation):
                done = fuzz_operation(
                    operation,
                    mode,
                    base_url=base_url,
                    headers=headers,
                    cases=cases_per_operation,
                    fuzz_seed=fuzz_seed,
                    session=session,
                )
                report.operations.append(done)
                if on_operation is not None:
                    on_operation(done)
    return report
