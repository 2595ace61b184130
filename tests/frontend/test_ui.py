"""Smoke test of the UI through the page objects, in a real Chromium against the real stack."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from pages.options import OptionsPage
from pages.signin import SignInPage
from tests.frontend.conftest import USERNAME, Stack

# The browser is pytest-playwright's session `browser`, resolved by the harness's browser layer
# (fixtures/browser.py): one Playwright per process, so other browser tests can share the run.


@pytest.fixture
def page(browser: Browser, stack: Stack) -> Iterator[Page]:
    """A fresh, signed-out browser context on the frontend."""
    context = browser.new_context(
        base_url=stack.frontend.url, viewport={"width": 1440, "height": 900}
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def options_page(page: Page, stack: Stack) -> OptionsPage:
    """The options page of SPY, signed in through the sign-in form."""
    signin = SignInPage(page)
    signin.open(next_path="/options/SPY")
    signin.sign_in(USERNAME, stack.password)
    page.wait_for_url("**/options/SPY")
    options = OptionsPage(page)
    options.wait_until_loaded()
    return options


def _api(stack: Stack, path: str, **params: str) -> Any:
    answer = httpx.get(
        stack.backend.url + path,
        params=params,
        headers={"Authorization": f"Bearer {stack.token()}"},
    )
    answer.raise_for_status()
    return answer.json()


def test_signed_out_visit_goes_to_sign_in_and_back(page: Page, stack: Stack) -> None:
    page.goto(OptionsPage.path_for("AAPL"))
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Foptions%2FAAPL$"))
    SignInPage(page).sign_in(USERNAME, stack.password)
    expect(page).to_have_url(re.compile(r"/options/AAPL$"))
    expect(OptionsPage(page).heading).to_have_text("AAPL options")


def test_bad_credentials_show_an_alert(page: Page) -> None:
    signin = SignInPage(page)
    signin.open()
    signin.sign_in(USERNAME, "wrong-password")
    expect(signin.error).to_have_text("Invalid username or password.")


def test_chain_shows_nearest_expiration_with_every_strike(
    options_page: OptionsPage, stack: Stack
) -> None:
    api = _api(stack, "/api/options/chain/SPY")
    expect(options_page.chain.table).to_be_visible()
    assert options_page.selected_expiration() == api["expirations"][0]
    assert options_page.expirations() == api["expirations"]
    assert options_page.underlying_price() == f"{api['underlying']['last']:.2f}"
    assert options_page.chain.strikes() == [f"{row['strike']:.2f}" for row in api["strikes"]]


def test_expiration_switch_shows_that_expirations_chain(
    options_page: OptionsPage, stack: Stack
) -> None:
    second = options_page.expirations()[1]
    options_page.choose_expiration(second)
    api = _api(stack, "/api/options/chain/SPY", expiration=second)
    atm = f"{api['atm_strike']:.2f}"
    api_row = next(row for row in api["strikes"] if f"{row['strike']:.2f}" == atm)
    assert options_page.selected_expiration() == second
    assert options_page.chain.row(atm).cells["call-bid"] == f"{api_row['call']['bid']:.2f}"
    assert options_page.chain.row(atm).cells["put-delta"] == f"{api_row['put']['delta']:.3f}"


def test_five_strikes_filter_shows_eleven_rows_centred_on_atm(options_page: OptionsPage) -> None:
    options_page.show_strikes("+/-5 strikes")
    strikes = options_page.chain.strikes()
    assert len(strikes) == 11
    assert strikes[5] == options_page.chain.atm_strike()


def test_all_filter_shows_every_strike_again(options_page: OptionsPage, stack: Stack) -> None:
    options_page.show_strikes("+/-5 strikes")
    options_page.show_strikes("All")
    api = _api(stack, "/api/options/chain/SPY")
    assert len(options_page.chain.strikes()) == len(api["strikes"])


def test_search_navigates_and_back_returns(options_page: OptionsPage, page: Page) -> None:
    options_page.search("aapl")
    expect(page).to_have_url(re.compile(r"/options/AAPL$"))
    expect(options_page.heading).to_have_text("AAPL options")
    options_page.go_back()
    expect(page).to_have_url(re.compile(r"/options/SPY$"))
    expect(options_page.heading).to_have_text("SPY options")


def test_unknown_symbol_shows_no_options_without_banner(options_page: OptionsPage) -> None:
    options_page.open("ZZZZ")
    expect(options_page.no_options).to_have_text("No options exist for ZZZZ")
    expect(options_page.error_banner).to_be_hidden()


def test_positions_stream_goes_live(options_page: OptionsPage, stack: Stack) -> None:
    expect(options_page.positions.status).to_have_text("Live")
    api = _api(stack, "/api/positions")
    assert options_page.positions.symbols() == [p["symbol"] for p in api["positions"]]


TRICKY = [0.125, 0.375, 2.675, 1.005, -0.125, 2.755, 600.0, 0.0, -0.0, -0.0001, 0.2125, 1234567.125]


def test_page_formats_numbers_exactly_like_python(page: Page) -> None:
    page.goto(SignInPage.path_for())
    got = page.evaluate(
        """async (values) => {
            const f = await import("/static/format.js");
            return values.map((x) => [f.price(x), f.delta(x), f.percent(x), f.pnl(x)]);
        }""",
        TRICKY,
    )
    want = [[f"{x:.2f}", f"{x:.3f}", f"{x * 100:.1f}%", f"{x:+,.2f}"] for x in TRICKY]
    assert got == want


def test_page_formats_counts_with_thousands_separators(page: Page) -> None:
    page.goto(SignInPage.path_for())
    got = page.evaluate(
        """async (values) => {
            const f = await import("/static/format.js");
            return values.map((n) => f.integer(n));
        }""",
        [0, 7, 12345, 1234567, -5],
    )
    assert got == ["0", "7", "12,345", "1,234,567", "-5"]
