"""The nine options-chain scenarios (OC-01 … OC-09), in a real Chromium, through page objects.

Every data check compares what the page shows with what the API answers for the same request,
formatted as the UI formats it (acceptance/formatting.py), never with literals copied from the stub.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from acceptance.clients import DeskApi, StubControl
from acceptance.conftest import MarketOracle
from acceptance.formatting import chain_row_cells, integer, pnl, price
from acceptance.page_timing import PageTimer
from pages.chain_table import ChainView
from pages.options import OptionsPage
from pages.signin import SignInPage

pytestmark = pytest.mark.browser

# The live positions panel must reflect a quote move within this time (DESIGN §5, OC-09).
LIVE_UPDATE_TIMEOUT_MS = 2_000
# What a user reads across the chain's header: calls on the left, the strike, puts on the right.
CHAIN_COLUMNS = [
    *(("Calls", name) for name in ("Delta", "IV", "OI", "Volume", "Last", "Bid", "Ask")),
    ("", "Strike"),
    *(("Puts", name) for name in ("Bid", "Ask", "Last", "Volume", "OI", "IV", "Delta")),
]
POSITION_COLUMNS = ["Symbol", "Qty", "Mark", "P&L"]
# The stub's awkward corner the page is read on too (bundled stack only): strikes across the digit
# boundary 97.50 | 100.00 on half-dollar steps, untraded contracts (null last, null greeks), zero
# bids.
AWKWARD_SYMBOL = "WMT"


@pytest.fixture
def options_page(page: Page, page_timer: PageTimer) -> OptionsPage:
    # page_timer: the page is probed for its timings (PERF-01) from its first navigation on.
    return OptionsPage(page)


@pytest.mark.checklist("OC-01")
def test_chain_loads(options_page: OptionsPage, desk_api: DeskApi, page_timer: PageTimer) -> None:
    # Given a signed-in user and the chain the API answers for SPY's nearest expiration
    chain = desk_api.chain("SPY")

    # When they open the SPY options page
    options_page.open("SPY")
    page_timer.first_row()

    # Then the underlying, the expirations (nearest selected) and every strike are shown, ascending
    expect(options_page.heading).to_have_text("SPY options")
    expect(options_page.underlying_price_cell).to_have_text(price(chain["underlying"]["last"]))
    assert options_page.expirations() == chain["expirations"]
    assert options_page.selected_expiration() == chain["expirations"][0]
    shown = options_page.chain.view()
    assert shown.columns == CHAIN_COLUMNS, "calls | strike | puts headers"
    rows = shown.rows
    assert [row.strike for row in rows] == [price(r["strike"]) for r in chain["strikes"]]
    shown_strikes = [float(row.strike) for row in rows if row.strike]
    assert shown_strikes == sorted(shown_strikes)
    for row in rows:
        assert row.stray == (), f"cells under no header at strike {row.strike}: {row.stray}"
        for cell in ("call-bid", "call-ask", "put-bid", "put-ask"):
            assert row.cells[cell] not in (None, "", "—"), f"{cell} empty at strike {row.strike}"


@pytest.mark.checklist("OC-02")
def test_expiration_switch(
    options_page: OptionsPage, desk_api: DeskApi, page_timer: PageTimer
) -> None:
    # Given the SPY page on its nearest expiration
    options_page.open("SPY")
    page_timer.first_row()
    later = options_page.expirations()[-1]
    expected = desk_api.chain("SPY", later)

    # When the user picks another expiration
    options_page.choose_expiration(later)

    # Then the table shows that expiration's chain, as the API answers it
    expect(options_page.chain.table).to_have_attribute("data-expiration", later)
    page_timer.action("expiration_switch")
    assert options_page.selected_expiration() == later
    shown = {row.strike: row.cells for row in options_page.chain.rows()}
    assert list(shown) == [price(r["strike"]) for r in expected["strikes"]]
    for api_row in expected["strikes"]:
        assert shown[price(api_row["strike"])] == chain_row_cells(api_row)


@pytest.mark.checklist("OC-03")
def test_symbol_switch_and_deep_link(
    options_page: OptionsPage, desk_api: DeskApi, page_timer: PageTimer
) -> None:
    # Given the SPY page
    options_page.open("SPY")
    aapl = desk_api.chain("AAPL")

    # When the user searches for AAPL
    options_page.search("aapl")

    # Then the URL is AAPL's and AAPL's chain is shown
    expect(options_page.page).to_have_url(re.compile(r"/options/AAPL$"))
    expect(options_page.heading).to_have_text("AAPL options")
    expect(options_page.underlying_price_cell).to_have_text(price(aapl["underlying"]["last"]))
    page_timer.action("symbol_search")

    # When the page is reloaded, it is still AAPL
    options_page.reload()
    expect(options_page.heading).to_have_text("AAPL options")
    expect(options_page.chain.table).to_have_attribute("data-symbol", "AAPL")

    # When the user goes Back, SPY is shown again
    options_page.go_back()
    expect(options_page.page).to_have_url(re.compile(r"/options/SPY$"))
    expect(options_page.heading).to_have_text("SPY options")
    expect(options_page.chain.table).to_have_attribute("data-symbol", "SPY")


@pytest.mark.checklist("OC-04")
def test_unknown_symbol(options_page: OptionsPage, console_errors, server_responses) -> None:
    # When the user opens a symbol that has no options
    options_page.open("ZZZZ")

    # Then the page says so, with no server-error banner, no 5xx and no console error
    expect(options_page.no_options).to_have_text("No options exist for ZZZZ")
    expect(options_page.error_banner).to_be_hidden()
    assert [r for r in server_responses if r.status >= 500] == []
    # Chromium logs every 4xx fetch as a console error that no page can suppress; only the
    # expected 404 for ZZZZ is excused (docs/CONTRACTS.md §4), anything else counts.
    unexpected = [e for e in console_errors if not (e.is_network_error(404) and "/ZZZZ" in e.url)]
    assert unexpected == []


@pytest.mark.checklist("OC-05")
@pytest.mark.signed_out
def test_auth_redirects_and_returns(
    page: Page, anonymous_api: DeskApi, desk_credentials, scan_accessibility
) -> None:
    options_page = OptionsPage(page)
    signin = SignInPage(page)

    # Given no session, the API refuses and the page sends the user to sign in
    assert anonymous_api.http.get("/api/options/chain/AAPL").status_code == 401
    page.goto(options_page.path_for("AAPL"))
    expect(signin.heading).to_be_visible()
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Foptions%2FAAPL$"))
    scan_accessibility("sign-in")  # A11Y-01, judged at the end of the run

    # When they sign in
    signin.sign_in(desk_credentials.username, desk_credentials.password)

    # Then they land on the page they asked for, with its chain
    expect(page).to_have_url(re.compile(r"/options/AAPL$"))
    options_page.wait_until_loaded()
    expect(options_page.chain.table).to_have_attribute("data-symbol", "AAPL")


@pytest.mark.checklist("OC-06")
@pytest.mark.needs_stub_control
@pytest.mark.expect_server_status(502)
def test_upstream_outage_and_recovery(
    options_page: OptionsPage, stub_control: StubControl, page_timer: PageTimer
) -> None:
    # Given market data is down
    stub_control.fault(status=500, times=-1)

    # When the user opens the SPY page
    with options_page.page.expect_response(re.compile(r"/api/options/chain/SPY")) as answer:
        options_page.open("SPY")

    # Then an error banner with Retry shows, and the API answered 502 (not a bare 500)
    assert answer.value.status == 502
    expect(options_page.error_banner).to_be_visible()
    expect(options_page.retry_button).to_be_visible()

    # When market data recovers and the user presses Retry, the chain shows
    stub_control.reset()
    options_page.retry()
    expect(options_page.error_banner).to_be_hidden()
    expect(options_page.chain.table).to_have_attribute("data-symbol", "SPY")
    expect(options_page.chain.row_locator.first).to_be_visible()
    page_timer.action("retry")


@pytest.mark.checklist("OC-07")
def test_quote_correctness(
    options_page: OptionsPage, market_oracle: MarketOracle, stub_server
) -> None:
    symbols = ["SPY"] + ([AWKWARD_SYMBOL] if stub_server is not None else [])
    for symbol in symbols:
        # Given the chain the contract's rules derive from what the stub served
        chain = market_oracle.chain(symbol)

        # When the user opens the symbol's page
        options_page.open(symbol)
        expect(options_page.chain.table).to_have_attribute("data-expiration", chain["expiration"])

        # Then they read exactly that chain, every value under its header, as formatted
        expect(options_page.underlying_price_cell).to_have_text(price(chain["underlying"]["last"]))
        # One read of the table for every check below: the values, the highlight and the
        # shading of the same render.
        shown = options_page.chain.view()
        assert shown.columns == CHAIN_COLUMNS, symbol
        rows = shown.rows
        assert [row.strike for row in rows] == [price(r["strike"]) for r in chain["strikes"]]
        for row, want in zip(rows, chain["strikes"], strict=True):
            assert row.stray == (), f"{symbol} {row.strike}: cells under no header {row.stray}"
            assert row.cells == chain_row_cells(want), f"{symbol} {row.strike}"
        _assert_money_lines_painted(shown, chain)


def _assert_money_lines_painted(shown: ChainView, chain: dict) -> None:
    """The ATM row stands out, the only one; the in-the-money side of each row wears a shade the
    out-of-the-money sides do not."""
    symbol = chain["symbol"]
    rows = shown.rows
    assert shown.highlighted_strikes() == [price(chain["atm_strike"])], symbol
    strikes = chain["strikes"]
    calls_itm = [price(r["strike"]) for r in strikes if (r["call"] or {}).get("in_the_money")]
    puts_itm = [price(r["strike"]) for r in strikes if (r["put"] or {}).get("in_the_money")]
    assert shown.call_itm_strikes() == calls_itm, f"{symbol} call shading"
    assert shown.put_itm_strikes() == puts_itm, f"{symbol} put shading"
    ordinary = [row for row in rows if row.strike != price(chain["atm_strike"])]
    otm_shades = {row.call_shade for row in ordinary if row.strike not in calls_itm}
    otm_shades |= {row.put_shade for row in ordinary if row.strike not in puts_itm}
    itm_shades = {row.call_shade for row in ordinary if row.strike in calls_itm}
    itm_shades |= {row.put_shade for row in ordinary if row.strike in puts_itm}
    assert not otm_shades & itm_shades, f"{symbol}: ITM and OTM sides painted alike"


@pytest.mark.checklist("OC-08")
def test_strikes_around_the_money(
    options_page: OptionsPage, desk_api: DeskApi, page_timer: PageTimer, scan_accessibility
) -> None:
    chain = desk_api.chain("SPY")
    strikes = [price(r["strike"]) for r in chain["strikes"]]
    atm = strikes.index(price(chain["atm_strike"]))
    options_page.open("SPY")
    page_timer.first_row()

    # When the user narrows to +/-5 strikes, exactly 11 strikes centred on ATM show
    options_page.show_strikes("+/-5 strikes")
    expect(options_page.chain.row_locator).to_have_count(11)
    assert options_page.chain.strikes() == strikes[atm - 5 : atm + 6]
    assert options_page.chain.atm_strike() == strikes[atm]
    scan_accessibility("options")  # A11Y-01, judged at the end of the run

    # When they choose All, every strike shows again
    options_page.show_strikes("All")
    expect(options_page.chain.row_locator).to_have_count(len(strikes))


@pytest.mark.checklist("OC-09")
@pytest.mark.needs_stub_control
def test_live_positions(
    options_page: OptionsPage,
    context: BrowserContext,
    market_oracle: MarketOracle,
    stub_control: StubControl,
) -> None:
    # Given the SPY page with a live positions panel
    options_page.open("SPY")
    panel = options_page.positions
    expect(panel.status).to_have_text("Live")
    positions = market_oracle.positions()
    expect(panel.row_locator).to_have_count(len(positions))
    held = next(p for p in positions if p["underlying"] == "SPY")
    expect(panel.mark_cell(held["symbol"])).to_have_text(price(held["mark"]))

    # Then every position reads right under its header: symbol, quantity, mark, P&L
    assert panel.headers() == POSITION_COLUMNS
    shown = [(r.symbol, r.qty, r.mark, r.pnl, r.stray) for r in panel.rows()]
    expected = [
        (p["symbol"], integer(p["quantity"]), price(p["mark"]), pnl(p["pnl"]), ())
        for p in positions
    ]
    assert shown == expected

    # When SPY moves in the market, the new mark reaches the panel without a reload
    stub_control.move_quote("SPY", move=+5.0)
    moved = _mark_of(market_oracle, held["symbol"])
    assert moved != held["mark"], "the quote move did not change the position's mark"
    expect(panel.mark_cell(held["symbol"])).to_have_text(
        price(moved), timeout=LIVE_UPDATE_TIMEOUT_MS
    )

    # When the network drops and returns, the panel says Reconnecting, then Live, and updates resume
    context.set_offline(True)
    expect(panel.status).to_have_text("Reconnecting")
    context.set_offline(False)
    expect(panel.status).to_have_text("Live")
    stub_control.move_quote("SPY", move=-8.0)
    resumed = _mark_of(market_oracle, held["symbol"])
    expect(panel.mark_cell(held["symbol"])).to_have_text(
        price(resumed), timeout=LIVE_UPDATE_TIMEOUT_MS
    )


def _mark_of(market_oracle: MarketOracle, symbol: str) -> float:
    return float(next(p["mark"] for p in market_oracle.positions() if p["symbol"] == symbol))
