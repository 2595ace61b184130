"""The reference backend as an adopting team runs it: ``uvicorn plain_backend:app --workers 2``.

Knows nothing of the harness: the settings come from the environment as they would in any
deployment, but the harness's ``QE_INSTANCE_ID`` is not echoed (each worker names itself), and
logging is uvicorn's default (access lines, level-prefixed messages) plus the app's failures as
plain-text Python tracebacks on stderr, not the bundled JSON lines.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from backend import __version__
from backend.config import load_settings
from backend.main import create_app
from backend.telemetry import EVENT_LOGGER, init_sentry


class _PlainTraceback(logging.Formatter):
    """The app's failure events as a level prefix and the traceback's own text."""

    def format(self, record: logging.LogRecord) -> str:
        event: Any = record.msg
        if isinstance(event, dict) and event.get("traceback"):
            return f"ERROR:    Exception in {event.get('path', 'the app')}\n{event['traceback']}"
        return f"{record.levelname}:    {record.getMessage()}"


def _log_failures_as_text() -> None:
    # Requests are in uvicorn's access log already; only failures (WARNING and up) are written.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_PlainTraceback())
    events = logging.getLogger(EVENT_LOGGER)
    events.handlers[:] = [handler]
    events.setLevel(logging.WARNING)
    events.propagate = False


settings = load_settings().model_copy(update={"qe_instance_id": None})
_log_failures_as_text()
app = create_app(settings)
init_sentry(settings, __version__)
