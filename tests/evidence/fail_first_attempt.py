"""Fault injection for the evidence tests: every checklist test fails its first attempt.

Loaded into an acceptance run with ``-p tests.evidence.fail_first_attempt``. After the test body
ran (so a browser scenario's trace holds the whole scenario: the typed password, the session
token), the first attempt fails with a message, a captured print and a log record that carry the
test's fixture values, the bearer token and the desk password, the way a careless assertion or
debug print would. Browser scenarios pass on their rerun (FLAKY); API and ENV checks, which get
no rerun, fail.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Iterator[None]:
    result = yield
    if pyfuncitem.get_closest_marker("checklist") is None:
        return result
    if getattr(pyfuncitem, "execution_count", 1) > 1:
        return result
    values: dict[str, Any] = dict(pyfuncitem.funcargs)
    request = pyfuncitem._request
    if "api_url" in request.fixturenames or "desk_api" in values or "anonymous_api" in values:
        values["desk_token"] = request.getfixturevalue("desk_token")
    credentials = request.getfixturevalue("desk_credentials")
    values["password"] = credentials.password
    print(f"injected failure, fixture values: {values!r}")
    logging.getLogger("qe.injected").error("injected failure, fixture values: %r", values)
    raise AssertionError(f"injected failure on the first attempt; fixture values: {values!r}")
