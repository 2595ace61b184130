"""Mutable stub state behind the control API: injected faults, quote moves and the request log.

The stub runs in one process on one asyncio loop and none of these methods awaits, so each call
is atomic with respect to concurrent requests: two requests can never consume the same fault use.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

ENDPOINTS = ("expirations", "chains", "quotes")
REQUEST_LOG_LIMIT = 5000


class FaultSpecError(ValueError):
    """A control request described a fault that cannot be applied."""


@dataclass
class Fault:
    id: int
    status: int | None
    times: int  # -1 = until reset
    endpoint: str | None
    delay_ms: int
    drop: bool
    remaining: int = field(init=False)

    def __post_init__(self) -> None:
        self.remaining = self.times

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _int_field(body: dict[str, Any], name: str, default: int | None) -> int | None:
    value = body.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultSpecError(f"{name} must be an integer")
    return value


def parse_fault(body: object, fault_id: int) -> Fault:
    """Validate a ``POST /__control/fault`` body."""
    if not isinstance(body, dict):
        raise FaultSpecError("body must be a JSON object")
    unknown = set(body) - {"status", "times", "endpoint", "delay_ms", "drop"}
    if unknown:
        raise FaultSpecError(f"unknown field(s): {', '.join(sorted(unknown))}")
    status = _int_field(body, "status", None)
    times = _int_field(body, "times", 1)
    delay_ms = _int_field(body, "delay_ms", 0)
    drop = body.get("drop", False)
    endpoint = body.get("endpoint")
    if status is not None and not 100 <= status <= 599:
        raise FaultSpecError("status must be an HTTP status code (100-599)")
    if times is None or (times < 1 and times != -1):
        raise FaultSpecError("times must be >= 1, or -1 for until reset")
    if delay_ms is None or not 0 <= delay_ms <= 120_000:
        raise FaultSpecError("delay_ms must be between 0 and 120000")
    if not isinstance(drop, bool):
        raise FaultSpecError("drop must be true or false")
    if endpoint is not None and endpoint not in ENDPOINTS:
        raise FaultSpecError(f"endpoint must be one of {', '.join(ENDPOINTS)} or null")
    if status is None and not drop and delay_ms == 0:
        raise FaultSpecError("a fault needs a status, a delay_ms or drop")
    return Fault(fault_id, status, times, endpoint, delay_ms, drop)


class FaultBook:
    """Active faults, first added first used; a request consumes one use of the first match."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, body: object) -> Fault:
        fault = parse_fault(body, next(self._ids))
        self._faults.append(fault)
        return fault

    def take(self, endpoint: str | None) -> Fault | None:
        for fault in self._faults:
            if fault.endpoint is None or fault.endpoint == endpoint:
                if fault.remaining > 0:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                return fault
        return None

    def active(self) -> list[dict[str, Any]]:
        return [f.as_dict() for f in self._faults]

    def clear(self) -> None:
        self._faults.clear()


class RequestLog:
    """What the market-data endpoints received (bounded; never any header value)."""

    def __init__(self) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_LIMIT)

    def record(self, entry: dict[str, Any]) -> None:
        self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        return list(self._entries)

    def clear(self) -> None:
        self._entries.clear()
