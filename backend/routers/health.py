"""``GET /api/health``: public liveness and identity of this process."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from backend import __version__
from backend.schemas import Health

router = APIRouter(prefix="/api/health", tags=["health"])


@router.get("", response_model=None, responses={200: {"model": Health}})
async def read_health(request: Request) -> dict[str, Any]:
    state = request.app.state
    return {
        "status": "ok",
        "version": __version__,
        "pid": state.pid,
        "instance_id": state.instance_id,
        "started_at": state.started_at,
    }
