"""Async Tradier market-data client: speaks Tradier's wire format and smooths over its quirks.

Quirks handled here so no caller sees them: a one-element list arrives as a bare object or string,
an unknown symbol arrives as ``null``. Failures become typed exceptions (``TradierError``
subclasses) that the API maps to status codes in ``backend.errors``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx


class TradierError(Exception):
    """Base of everything this client raises."""

    code = "upstream_error"


class UnknownSymbol(TradierError):
    """Tradier does not know the symbol (it answered ``null``)."""

    code = "unknown_symbol"

    def __init__(self, symbol: str) -> None:
        super().__init__(f"unknown symbol {symbol}")
        self.symbol = symbol


class UpstreamError(TradierError):
    """Tradier answered 5xx, something that is not its JSON, or the connection failed."""

    code = "upstream_error"


class UpstreamAuthError(UpstreamError):
    """Tradier rejected our token (401/403): a configuration problem on our side."""

    code = "upstream_auth"


class UpstreamTimeout(TradierError):
    """Tradier did not answer within the configured timeout."""

    code = "upstream_timeout"


def as_list(value: Any) -> list[Any]:
    """Tradier's collections: ``null`` -> [], a bare object or string -> [it], a list -> itself."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


class TradierClient:
    """A thin typed client over ``httpx.AsyncClient``; one per application, closed on shutdown."""

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def get_expirations(self, symbol: str) -> list[str]:
        """Expiration dates (``YYYY-MM-DD``, ascending) of ``symbol``; ``UnknownSymbol`` if none."""
        body = await self._get("/v1/markets/options/expirations", {"symbol": symbol})
        container = _field(body, "expirations")
        if container is None:
            raise UnknownSymbol(symbol)
        dates = as_list(_field(_mapping(container), "date"))
        if not dates:
            raise UnknownSymbol(symbol)
        if not all(isinstance(d, str) for d in dates):
            raise UpstreamError("malformed expirations from upstream")
        return sorted(dates)

    async def get_chain(self, symbol: str, expiration: str) -> list[dict[str, Any]]:
        """The options of one expiration with greeks; [] when Tradier has none (``null``)."""
        body = await self._get(
            "/v1/markets/options/chains",
            {"symbol": symbol, "expiration": expiration, "greeks": "true"},
        )
        container = _field(body, "options")
        if container is None:
            return []
        return [_mapping(o) for o in as_list(_field(_mapping(container), "option"))]

    async def get_quotes(self, symbols: list[str]) -> dict[str, dict[str, Any]]:
        """Quotes by symbol; symbols Tradier does not know are simply absent."""
        if not symbols:
            return {}
        body = await self._get("/v1/markets/quotes", {"symbols": ",".join(symbols)})
        container = _field(body, "quotes")
        if container is None:
            return {}
        quotes = [_mapping(q) for q in as_list(_mapping(container).get("quote"))]
        result: dict[str, dict[str, Any]] = {}
        for quote in quotes:
            symbol = quote.get("symbol")
            if not isinstance(symbol, str):
                raise UpstreamError("malformed quote from upstream")
            result[symbol] = quote
        return result

    async def _get(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        try:
            response = await self._http.get(path, params=params)
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout("upstream did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise UpstreamError(f"upstream unreachable ({type(exc).__name__})") from exc
        if response.status_code in (401, 403):
            raise UpstreamAuthError("upstream rejected the market-data token")
        if response.status_code != 200:
            raise UpstreamError(f"upstream answered {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise UpstreamError("upstream answered something that is not JSON") from exc
        return _mapping(body)


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise UpstreamError("unexpected response shape from upstream")
    return value


def _field(body: dict[str, Any], key: str) -> Any:
    if key not in body:
        raise UpstreamError(f"upstream response has no {key!r}")
    return body[key]
