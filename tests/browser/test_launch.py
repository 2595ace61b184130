"""The plugin's launch settings, in a real Chromium against the local site."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Error, Page, expect

from fixtures.browser import ConsoleError
from fixtures.browser_choice import HOST_RESOLVER_RULE, BrowserChoice, is_executable
from tests.browser.site import LocalSite

# A bound, not a timing assertion: without the resolver rule a stray URL may hang on DNS or a
# remote site; with it the navigation fails at once, well inside this.
NAVIGATION_BOUND_MS = 5_000


def test_launch_args_carry_the_host_resolver_rule(browser_type_launch_args: dict[str, Any]) -> None:
    assert HOST_RESOLVER_RULE in browser_type_launch_args["args"]


def test_a_local_chromium_binary_is_chosen(
    browser_choice: BrowserChoice, browser_type_launch_args: dict[str, Any]
) -> None:
    assert browser_choice.kind in ("playwright", "system")
    assert browser_choice.executable_path is not None
    assert is_executable(browser_choice.executable_path)
    if browser_choice.kind == "system":
        assert browser_type_launch_args["executable_path"] == browser_choice.executable_path


def test_the_browser_runs_and_reports_its_version(browser: Browser) -> None:
    assert browser.is_connected()
    assert browser.version[0].isdigit()


def test_local_site_loads(page: Page, local_site: LocalSite) -> None:
    page.goto(local_site.url + "/")
    assert page.inner_text("h1") == "local site"


def test_a_stray_external_url_fails_fast(page: Page) -> None:
    page.set_default_navigation_timeout(NAVIGATION_BOUND_MS)
    with pytest.raises(Error, match="net::ERR_NAME_NOT_RESOLVED"):
        page.goto("http://example.com/")


def test_a_name_that_resolves_locally_is_still_refused(page: Page, local_site: LocalSite) -> None:
    # The machine's own host name resolves to this machine, so without the rule this page would
    # load; with it only localhost and 127.0.0.1 are reachable.
    hostname = socket.gethostname()
    try:
        if socket.gethostbyname(hostname) != "127.0.0.1":
            pytest.skip(f"{hostname} does not resolve to 127.0.0.1 on this machine")
    except OSError:
        pytest.skip(f"{hostname} does not resolve on this machine")
    port = urlsplit(local_site.url).port
    page.set_default_navigation_timeout(NAVIGATION_BOUND_MS)
    with pytest.raises(Error, match="net::ERR_NAME_NOT_RESOLVED"):
        page.goto(f"http://{hostname}:{port}/")


def test_localhost_stays_reachable(page: Page, local_site: LocalSite) -> None:
    port = urlsplit(local_site.url).port
    page.goto(f"http://localhost:{port}/")
    assert page.inner_text("h1") == "local site"


def test_console_errors_collects_console_errors_and_page_errors(
    page: Page, console_errors: list[ConsoleError], local_site: LocalSite
) -> None:
    with page.expect_event("pageerror"):
        page.goto(local_site.url + "/errors")
    assert len(console_errors) == 2
    assert console_errors[0].startswith("console error: chain failed to load")
    assert console_errors[1] == "page error: TypeError: boom in handler"


def test_console_errors_tell_page_errors_from_console_errors(
    page: Page, console_errors: list[ConsoleError], local_site: LocalSite
) -> None:
    with page.expect_event("pageerror"):
        page.goto(local_site.url + "/errors")
    assert [(e.kind, e.url) for e in console_errors] == [
        ("console", local_site.url + "/errors"),
        ("page", local_site.url + "/errors"),
    ]
    assert [e.is_network_error() for e in console_errors] == [False, False]


def test_a_failed_fetch_is_a_network_console_error_with_its_url_and_status(
    page: Page, console_errors: list[ConsoleError], local_site: LocalSite
) -> None:
    page.goto(local_site.url + "/fetches-missing")
    expect(page).to_have_title("fetched 404")
    [error] = console_errors
    assert error.url == local_site.url + "/api/missing"
    assert error.is_network_error(404)
    assert not error.is_network_error(500)


def test_console_errors_is_empty_for_a_clean_page(
    page: Page, console_errors: list[ConsoleError], local_site: LocalSite
) -> None:
    page.goto(local_site.url + "/")
    assert console_errors == []
