"""Machine load around a measurement: read it, and say whether two figures are comparable.

A wall time measured at load 2 and one measured at load 12 on a 2-core machine say more about the
other tenants than about the code, so a benchmark prints the 1-minute load average before and
after every measurement and refuses to compare two measurements whose load differs a lot.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

# Loads differ "a lot" when they differ by more than this share of the larger one (or of the core
# count, on a machine that is nearly idle): 0.5 accepts 8 vs 12 and refuses 2 vs 8.
DEFAULT_TOLERANCE = 0.5


def load_now() -> float:
    """The 1-minute load average."""
    return round(os.getloadavg()[0], 2)


def comparable(
    first: Mapping[str, float],
    second: Mapping[str, float],
    *,
    cpus: int,
    tolerance: float = DEFAULT_TOLERANCE,
) -> tuple[bool, str]:
    """Whether two measurements, each with ``load_before``/``load_after``, saw similar loads.

    Every load seen during either measurement is compared with every other: the largest gap must
    stay within ``tolerance`` times the larger load (at least the core count). Returns the answer
    and, when refused, why.
    """
    loads = [
        float(m[key]) for m in (first, second) for key in ("load_before", "load_after") if key in m
    ]
    if len(loads) < 2:
        return True, ""
    low, high = min(loads), max(loads)
    allowed = tolerance * max(high, float(cpus))
    if high - low > allowed:
        return False, f"load went from {low:.2f} to {high:.2f} (more than {allowed:.2f} apart)"
    return True, ""
