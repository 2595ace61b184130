"""Per-user position books, marked to market from Tradier quotes.

The book file (``DESK_POSITIONS_FILE``) maps a username to positions described relative to the
market (``expiration_index`` 0 = nearest expiration, ``strike_steps`` 0 = the at-the-money strike,
+1 = one listed strike above), because fixed OCC symbols would expire. Each position is resolved
to a real OCC symbol once per process, then marked at the bid/ask mid on every snapshot.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from backend.chain import atm_strike, mid, reference_price
from backend.tradier import TradierClient, UpstreamError

CONTRACT_MULTIPLIER = 100


class PositionSpec(BaseModel):
    """One line of the book file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    underlying: str = Field(pattern=r"^[A-Z]{1,6}$")
    option_type: Literal["call", "put"]
    expiration_index: int = Field(default=0, ge=0)
    strike_steps: int = 0
    quantity: int
    avg_price: float = Field(ge=0)


class ResolvedPosition(BaseModel):
    spec: PositionSpec
    symbol: str
    expiration: str
    strike: float


_BOOK_ADAPTER = TypeAdapter(dict[str, list[PositionSpec]])


class BookError(Exception):
    """The book file is missing or malformed."""


class PositionBook:
    """The positions of every user, resolved against the market on first use."""

    def __init__(self, books: dict[str, list[PositionSpec]]) -> None:
        self._books = books
        self._resolved: dict[PositionSpec, ResolvedPosition] = {}
        self._lock = asyncio.Lock()

    @classmethod
    def load(cls, path: Path) -> PositionBook:
        try:
            raw = json.loads(path.read_text())
            return cls(_BOOK_ADAPTER.validate_python(raw))
        except OSError as exc:
            raise BookError(f"cannot read positions file {path}: {exc.strerror}") from None
        except (ValueError, ValidationError) as exc:
            first = str(exc).splitlines()[0]
            raise BookError(f"positions file {path} is malformed: {first}") from None

    def specs(self, username: str) -> list[PositionSpec]:
        return list(self._books.get(username, []))

    async def snapshot(self, username: str, client: TradierClient) -> dict[str, Any]:
        """``{"positions": [...], "as_of"}`` for ``username``, marked from current quotes."""
        resolved = [await self._resolve(spec, client) for spec in self.specs(username)]
        quotes = await client.get_quotes(sorted({p.symbol for p in resolved}))
        positions = [_marked(p, quotes.get(p.symbol)) for p in resolved]
        return {"positions": positions, "as_of": datetime.now(UTC).isoformat(timespec="seconds")}

    async def _resolve(self, spec: PositionSpec, client: TradierClient) -> ResolvedPosition:
        async with self._lock:
            if spec not in self._resolved:
                self._resolved[spec] = await _resolve(spec, client)
            return self._resolved[spec]


async def _resolve(spec: PositionSpec, client: TradierClient) -> ResolvedPosition:
    expirations = await client.get_expirations(spec.underlying)
    expiration = expirations[min(spec.expiration_index, len(expirations) - 1)]
    options, quotes = await asyncio.gather(
        client.get_chain(spec.underlying, expiration), client.get_quotes([spec.underlying])
    )
    listed = sorted(
        (float(o["strike"]), str(o["symbol"]))
        for o in options
        if o.get("option_type") == spec.option_type
        and isinstance(o.get("strike"), int | float)
        and isinstance(o.get("symbol"), str)
    )
    if not listed:
        raise UpstreamError(f"no {spec.option_type}s listed for {spec.underlying} {expiration}")
    strikes = [strike for strike, _ in listed]
    quote = quotes.get(spec.underlying)
    atm = atm_strike(strikes, reference_price(quote) if quote else None)
    centre = strikes.index(atm) if atm is not None else len(strikes) // 2
    index = max(0, min(len(listed) - 1, centre + spec.strike_steps))
    strike, symbol = listed[index]
    return ResolvedPosition(spec=spec, symbol=symbol, expiration=expiration, strike=strike)


def _marked(position: ResolvedPosition, quote: dict[str, Any] | None) -> dict[str, Any]:
    spec = position.spec
    mark = mid(quote) if quote else None
    pnl = (
        None
        if mark is None
        else round((mark - spec.avg_price) * spec.quantity * CONTRACT_MULTIPLIER, 2)
    )
    return {
        "symbol": position.symbol,
        "underlying": spec.underlying,
        "option_type": spec.option_type,
        "strike": position.strike,
        "expiration": position.expiration,
        "quantity": spec.quantity,
        "avg_price": spec.avg_price,
        "mark": mark,
        "pnl": pnl,
    }


def marks_of(snapshot: dict[str, Any]) -> list[tuple[str, float | None]]:
    """What the stream compares to decide whether anything changed."""
    return [(p["symbol"], p["mark"]) for p in snapshot["positions"]]
