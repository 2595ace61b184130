"""Small typed HTTP clients the scenarios use: the Options Desk API and the stub's control API.

They speak the wire formats of docs/CONTRACTS.md and return parsed JSON; assertions stay in tests.
"""

from __future__ import annotations

import functools
import json
import ssl
from collections.abc import Callable
from typing import Any

import certifi
import httpx

TIMEOUT_S = 10.0


@functools.cache
def tls() -> ssl.SSLContext:
    """One TLS context for every client: building one (certifi's CA bundle) costs ~0.1-0.2 s,
    paid per client otherwise, dozens of times a run."""
    return ssl.create_default_context(cafile=certifi.where())


Hooks = dict[str, list[Any]]


class DeskApi:
    """The backend API, as a signed-in client (or anonymous when ``token`` is None).

    ``event_hooks``: httpx hooks, e.g. target mode's pacing and read-only guard."""

    def __init__(
        self, base_url: str, token: str | None = None, event_hooks: Hooks | None = None
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(
            base_url=base_url,
            headers=headers,
            timeout=TIMEOUT_S,
            verify=tls(),
            event_hooks=event_hooks or {},
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> DeskApi:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def health(self) -> dict[str, Any]:
        return self._ok(self.http.get("/api/health"))

    def expirations(self, symbol: str) -> list[str]:
        return list(self._ok(self.http.get(f"/api/options/expirations/{symbol}"))["expirations"])

    def chain(self, symbol: str, expiration: str | None = None) -> dict[str, Any]:
        params = {"expiration": expiration} if expiration else {}
        return self._ok(self.http.get(f"/api/options/chain/{symbol}", params=params))

    def positions(self) -> dict[str, Any]:
        return self._ok(self.http.get("/api/positions"))

    @staticmethod
    def _ok(response: httpx.Response) -> dict[str, Any]:
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body


class StubControl:
    """The Tradier stub's control API: inject faults, move quotes, read back requests.

    ``on_reset`` receives the stub's request log just before a reset clears it, so a whole-run
    audit sees every request the stub received."""

    def __init__(
        self, base_url: str, on_reset: Callable[[list[dict[str, Any]]], None] | None = None
    ) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=TIMEOUT_S, verify=tls())
        self.on_reset = on_reset

    def close(self) -> None:
        self.http.close()

    def fault(
        self,
        status: int = 500,
        times: int = 1,
        *,
        endpoint: str | None = None,
        delay_ms: int = 0,
        drop: bool = False,
    ) -> None:
        spec = {"status": status, "times": times, "endpoint": endpoint, "delay_ms": delay_ms}
        self.http.post("/__control/fault", json={**spec, "drop": drop}).raise_for_status()

    def move_quote(
        self, symbol: str, *, last: float | None = None, move: float | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"symbol": symbol}
        body.update({"last": last} if last is not None else {"move": move})
        response = self.http.post("/__control/quote", json=body)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    def reset(self) -> None:
        if self.on_reset is not None:
            self.on_reset(self.requests())
        self.http.post("/__control/reset").raise_for_status()

    def symbols(self) -> list[str]:
        """Every underlying the stub lists."""
        response = self.http.get("/__control/market")
        response.raise_for_status()
        return list(response.json()["symbols"])

    def market(self, symbol: str, expiration: str | None = None) -> dict[str, Any]:
        """The stub's canonical market for one expiration (nearest when None): its underlying
        ``quote``, ``expirations`` and ``options`` with greeks, exactly as it serves them, always
        as lists."""
        params = {"symbol": symbol, **({"expiration": expiration} if expiration else {})}
        response = self.http.get("/__control/market", params=params)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    def requests(self) -> list[dict[str, Any]]:
        response = self.http.get("/__control/requests")
        response.raise_for_status()
        return list(response.json()["requests"])


class SentrySink:
    """The local Sentry envelope sink: what the backend's Sentry SDK reported."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=TIMEOUT_S, verify=tls())

    def close(self) -> None:
        self.http.close()

    def reset(self) -> None:
        self.http.post("/__control/reset").raise_for_status()

    def wait_for_events(self, timeout_s: float = 5.0) -> list[str]:
        """Every event received, once at least one has arrived (the sink holds the request open
        until then, or ``timeout_s``): the SDK sends from a background thread, after the answer."""
        response = self.http.get(
            "/__control/events", params={"wait_s": timeout_s}, timeout=timeout_s + TIMEOUT_S
        )
        response.raise_for_status()
        return [json.dumps(event) for event in response.json()["events"]]
