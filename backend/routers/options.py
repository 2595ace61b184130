"""``/api/options``: expirations and normalised option chains of an underlying."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends

from backend.chain import build_chain
from backend.dependencies import Expiration, Symbol, TradierDep, get_current_user
from backend.errors import ApiError
from backend.schemas import UPSTREAM_ERRORS, Chain, Expirations, error_responses

router = APIRouter(
    prefix="/api/options",
    tags=["options"],
    dependencies=[Depends(get_current_user)],
    responses=error_responses(401, 404, 422, *UPSTREAM_ERRORS),
)


@router.get("/expirations/{symbol}", response_model=None, responses={200: {"model": Expirations}})
async def list_expirations(symbol: Symbol, tradier: TradierDep) -> dict[str, Any]:
    return {"symbol": symbol, "expirations": await tradier.get_expirations(symbol)}


@router.get("/chain/{symbol}", response_model=None, responses={200: {"model": Chain}})
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
