"""Open a generated HTML file in a real Chromium, as a reader would from disk.

The browser is the test's ``browser`` fixture (the harness's session browser, fixtures/browser.py):
one Playwright per process, because a second ``sync_playwright()`` in a process where another
browser test's Playwright is alive fails ("Sync API inside the asyncio loop").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Page


@dataclass
class Opened:
    """The loaded page, and what it did while it was open."""

    page: Page
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    requests: list[str] = field(default_factory=list)  # every URL it asked for


@contextmanager
def opened(path: Path, browser: Browser) -> Iterator[Opened]:
    """``path`` loaded from disk in a new context of ``browser``; closed on exit."""
    context = browser.new_context()
    try:
        page = context.new_page()
        seen = Opened(page)
        page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen.errors.append(str(e)))
        page.on("request", lambda r: seen.requests.append(r.url))
        page.goto(path.as_uri())
        yield seen
    finally:
        context.close()
