"""Application wiring: settings, lifespan, middleware, error handlers and routers. Nothing else."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI

from backend import __version__
from backend.book import PositionBook
from backend.config import Settings
from backend.errors import install_error_handlers
from backend.routers import auth, health, options, positions, testing
from backend.telemetry import RequestLogMiddleware
from backend.tradier import TradierClient


def create_app(settings: Settings) -> FastAPI:
    """The Options Desk API for ``settings``; raises ``BookError`` for a bad positions file."""
    book = PositionBook.load(settings.desk_positions_file)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.tradier = TradierClient(
            settings.tradier_base_url,
            settings.tradier_token.get_secret_value(),
            settings.upstream_timeout_s,
        )
        try:
            yield
        finally:
            await app.state.tradier.aclose()

    app = FastAPI(title="Options Desk", version=__version__, lifespan=lifespan)
    app.state.settings = settings
    app.state.book = book
    app.state.pid = os.getpid()
    app.state.instance_id = settings.qe_instance_id or str(uuid.uuid4())
    app.state.started_at = datetime.now(UTC).isoformat(timespec="seconds")

    app.add_middleware(RequestLogMiddleware)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(options.router)
    app.include_router(positions.router)
    if settings.desk_enable_test_routes:
        app.include_router(testing.router)
    return app
