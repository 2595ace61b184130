"""Test-only routes, mounted only when ``DESK_ENABLE_TEST_ROUTES=1`` (off by default)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/__test", tags=["testing"])


class DeliberateFailure(RuntimeError):
    """Raised on purpose to exercise the unexpected-exception path (500, log, Sentry)."""


@router.get("/boom")
async def raise_error() -> None:
    raise DeliberateFailure("deliberate failure for testing the error path")
