"""What counts as a server-side failure in a server's log: the judgement over the process layer's
facts (``fixtures.serverlog.LogEvent``), for server-side correlation and ENV-03.

A failure is an answered request with a 5xx status the caller does not expect, or a traceback
(a Python traceback or a JavaScript stack trace, whatever the log format). Error-level lines
without either stay in the excerpts as context but fail nothing: frameworks log those for
conditions the app handled (a client that hung up).
"""

from __future__ import annotations

from collections.abc import Iterable

from fixtures.serverlog import REQUEST, TRACEBACK, LogEvent


def unexpected(events: Iterable[LogEvent], allowed_statuses: Iterable[int] = ()) -> list[LogEvent]:
    """The events of ``events`` that show a server-side failure not allowed here."""
    allowed = frozenset(allowed_statuses)
    bad: list[LogEvent] = []
    for event in events:
        failed_answer = (
            event.kind == REQUEST
            and event.status is not None
            and event.status >= 500
            and event.status not in allowed
        )
        if event.kind == TRACEBACK or failed_answer:
            bad.append(event)
    return bad
