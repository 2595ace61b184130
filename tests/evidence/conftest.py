"""The evidence tests run whole acceptance suites against fresh app copies on a loaded machine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixtures.servers import READY_TIMEOUT_ENV

# A fresh copy's first start compiles everything: on a saturated 2-core machine that has taken
# more than the 20 s a warm start needs. These tests are about outputs, not start-up time.
COLD_START_TIMEOUT_S = "180"


@pytest.fixture(scope="session", autouse=True)
def _patient_cold_starts() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(READY_TIMEOUT_ENV, COLD_START_TIMEOUT_S)
        yield
