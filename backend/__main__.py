"""``python -m backend --port P [--host H]``: run the API under uvicorn.

Exit code 2 with one line on stderr when the configuration is missing or invalid.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

import uvicorn

from backend import __version__
from backend.book import BookError
from backend.config import SettingsError, load_settings
from backend.main import create_app
from backend.telemetry import configure_logging, init_sentry, log_event


class _Server(uvicorn.Server):
    """Announces itself only once its sockets are bound (uvicorn's own line comes earlier)."""

    def __init__(self, config: uvicorn.Config, instance_id: str) -> None:
        super().__init__(config)
        self._instance_id = instance_id

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            log_event(
                "startup",
                pid=os.getpid(),
                port=self.config.port,
                version=__version__,
                instance_id=self._instance_id,
            )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m backend", description=__doc__)
    parser.add_argument("--port", type=int, default=8001, help="TCP port to listen on")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"backend: {exc}", file=sys.stderr)
        return 2
    configure_logging()
    try:
        app = create_app(settings)
    except BookError as exc:
        print(f"backend: {exc} (set DESK_POSITIONS_FILE)", file=sys.stderr)
        return 2
    init_sentry(settings, __version__)
    config = uvicorn.Config(
        app, host=args.host, port=args.port, log_config=None, access_log=False, lifespan="on"
    )
    server = _Server(config, app.state.instance_id)
    server.run()
    return 0 if server.started else 1


if __name__ == "__main__":
    sys.exit(main())
