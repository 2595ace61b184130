"""``/api/positions``: the signed-in user's book, as a snapshot and as a Server-Sent Events stream.

The stream authenticates with the ``Authorization`` header like every other route (the token
never goes into the URL), sends ``event: positions`` at connect and whenever a mark changes, and
a comment heartbeat every ``POSITIONS_HEARTBEAT_S`` (default 2 s).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request, Response
from sse_starlette import EventSourceResponse

from backend.book import PositionBook, marks_of
from backend.dependencies import BookDep, CurrentUser, SettingsDep, TradierDep
from backend.schemas import STREAM_RESPONSE, UPSTREAM_ERRORS, Positions, error_responses
from backend.telemetry import log_event
from backend.tradier import TradierClient, TradierError

router = APIRouter(
    prefix="/api/positions",
    tags=["positions"],
    responses=error_responses(401, *UPSTREAM_ERRORS),
)


@router.get("", response_model=None, responses={200: {"model": Positions}})
async def list_positions(
    response: Response, user: CurrentUser, book: BookDep, tradier: TradierDep
) -> dict[str, Any]:
    # Account data: no browser or proxy cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return await book.snapshot(user, tradier)


@router.get("/stream", response_class=EventSourceResponse, responses=STREAM_RESPONSE)
async def stream_positions(
    request: Request,
    user: CurrentUser,
    book: BookDep,
    tradier: TradierDep,
    settings: SettingsDep,
) -> EventSourceResponse:
    # The first snapshot is taken before the stream starts so upstream failures still answer
    # a proper 502/504 instead of an empty stream.
    first = await book.snapshot(user, tradier)
    events = _position_events(request, first, user, book, tradier, settings.stream_interval_s)
    return EventSourceResponse(
        events, ping=settings.positions_heartbeat_s, headers={"Cache-Control": "no-store"}
    )


async def _position_events(
    request: Request,
    first: dict[str, Any],
    user: str,
    book: PositionBook,
    tradier: TradierClient,
    interval_s: float,
) -> AsyncIterator[dict[str, str]]:
    yield {"event": "positions", "data": json.dumps(first)}
    last_marks = marks_of(first)
    while not await request.is_disconnected():
        await asyncio.sleep(interval_s)
        try:
            snapshot = await book.snapshot(user, tradier)
        except TradierError as exc:
            # A blip upstream must not end the stream; the next tick tries again.
            log_event("stream_upstream_error", logging.WARNING, code=exc.code, detail=str(exc))
            continue
        marks = marks_of(snapshot)
        if marks != last_marks:
            last_marks = marks
            yield {"event": "positions", "data": json.dumps(snapshot)}
