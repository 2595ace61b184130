"""Read the JSON-line logs of the servers under test, from a point in time onwards.

Server-side correlation needs "what did the backend log while this scenario ran": a ``LogWatch``
remembers the file offset when it is created and returns only the lines written after it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class LogWatch:
    path: Path
    offset: int = field(default=-1)

    def __post_init__(self) -> None:
        if self.offset < 0:
            self.offset = self.path.stat().st_size if self.path.exists() else 0

    def text(self) -> str:
        """Everything written since the watch started (undecodable bytes replaced)."""
        if not self.path.exists():
            return ""
        with self.path.open("rb") as log:
            log.seek(self.offset)
            return log.read().decode("utf-8", errors="replace")

    def records(self) -> list[dict[str, Any]]:
        """The JSON records written since the watch started; non-JSON lines come as ``{"raw": line}``."""
        out: list[dict[str, Any]] = []
        for line in self.text().splitlines():
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = {"raw": line}
            out.append(record if isinstance(record, dict) else {"raw": line})
        return out

    def requests(self) -> list[dict[str, Any]]:
        return [r for r in self.records() if r.get("event") == "request"]

    def server_errors(self, allowed_statuses: frozenset[int] = frozenset()) -> list[str]:
        """Lines that show a server-side failure: a 5xx answer not allowed here, or a traceback."""
        bad: list[str] = []
        for record in self.records():
            status = record.get("status")
            if record.get("event") == "request" and isinstance(status, int) and status >= 500:
                if status not in allowed_statuses:
                    bad.append(json.dumps(record))
            elif record.get("event") == "error" or "Traceback" in str(record.get("raw", "")):
                bad.append(json.dumps(record) if "raw" not in record else record["raw"])
        return bad
