"""Remote browsers: a synthetic browser test passes through a Playwright server and over CDP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.browser_choice import WS_ENDPOINT_ENV, find_system_chromium
from tests.browser.remote import cdp_chromium, playwright_browser_server
from tests.browser.site import LocalSite
from tests.browser.synthetic import run_synthetic

THROUGH_THE_REMOTE = """
import pytest
from playwright.sync_api import Error


def test_local_page(page):
    page.goto("/")
    assert page.inner_text("h1") == "local site"


def test_stray_url_refused(page):
    with pytest.raises(Error, match="ERR_NAME_NOT_RESOLVED"):
        page.goto("http://example.com/", timeout=5000)
"""


@pytest.fixture
def chromium() -> str:
    found = find_system_chromium()
    if found is None:
        pytest.skip("needs a system Chromium to run the remote browser")
    return found


@pytest.fixture
def ws_endpoint(chromium: str, tmp_path: Path) -> Iterator[str]:
    with playwright_browser_server(chromium, tmp_path) as endpoint:
        yield endpoint


@pytest.fixture
def cdp_endpoint(chromium: str, tmp_path: Path) -> Iterator[str]:
    with cdp_chromium(chromium, tmp_path) as endpoint:
        yield endpoint


def test_a_playwright_connect_endpoint_runs_the_tests(
    ws_endpoint: str, tmp_path: Path, local_site: LocalSite
) -> None:
    run = run_synthetic(
        tmp_path / "project",
        THROUGH_THE_REMOTE,
        "--browser-ws-endpoint",
        ws_endpoint,
        site=local_site,
    )
    assert run.returncode == 0, run.output
    assert f"browser: remote browser via Playwright connect {ws_endpoint}" in run.output


def test_the_connect_endpoint_can_come_from_the_environment(
    ws_endpoint: str, tmp_path: Path, local_site: LocalSite
) -> None:
    run = run_synthetic(
        tmp_path / "project",
        THROUGH_THE_REMOTE,
        site=local_site,
        env={WS_ENDPOINT_ENV: ws_endpoint},
    )
    assert run.returncode == 0, run.output
    assert f"browser: remote browser via Playwright connect {ws_endpoint}" in run.output


def test_a_cdp_endpoint_runs_the_tests(
    cdp_endpoint: str, tmp_path: Path, local_site: LocalSite
) -> None:
    run = run_synthetic(
        tmp_path / "project",
        THROUGH_THE_REMOTE,
        "--browser-cdp-endpoint",
        cdp_endpoint,
        site=local_site,
    )
    assert run.returncode == 0, run.output
    assert f"browser: remote Chromium via CDP {cdp_endpoint}" in run.output
