"""``/api/options``: expirations and normalised option chains of an underlying."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends

from backend.chain import build_chain
from backend.dependencies import Expiration, Symbol, TradierDep, get_current_user
from backend.errors import ApiError

router = APIRouter(
    prefix="/api/options", tags=["options"], dependencies=[Depends(get_current_user)]
)


@router.get("/expirations/{symbol}")
async def list_expirations(symbol: Symbol, tradier: TradierDep) -> dict[str, Any]:
    return {"symbol": symbol, "expirations": await tradier.get_expirations(symbol)}


@router.get("/chain/{symbol}")
async def read_chain(symbol: Symbol, expiration: Expiration, tradier: TradierDep) -> dict[str, Any]:
    expirations = await tradier.get_expirations(symbol)
    if expiration is None:
        expiration = expirations[0]
    elif expiration not in expirations:
        raise ApiError(404, "unknown_expiration", f"{symbol} has no options expiring {expiration}")
    options, quotes = await asyncio.gather(
        tradier.get_chain(symbol, expiration), tradier.get_quotes([symbol])
    )
    if not options:
        raise ApiError(404, "unknown_expiration", f"{symbol} has no options expiring {expiration}")
    return build_chain(symbol, expiration, expirations, options, quotes.get(symbol))
