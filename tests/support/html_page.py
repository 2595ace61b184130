"""Open a generated HTML file in a real Chromium, as a reader would from disk."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from fixtures.browser_choice import find_system_chromium


@dataclass
class Opened:
    """The loaded page, and what it did while it was open."""

    page: Page
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    requests: list[str] = field(default_factory=list)  # every URL it asked for


@contextmanager
def opened(path: Path) -> Iterator[Opened]:
    """``path`` loaded from disk in the system Chromium; closed on exit."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_system_chromium())
        try:
            page = browser.new_page()
            seen = Opened(page)
            page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: seen.errors.append(str(e)))
            page.on("request", lambda r: seen.requests.append(r.url))
            page.goto(path.as_uri())
            yield seen
        finally:
            browser.close()
