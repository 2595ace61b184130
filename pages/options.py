"""The options page ``/options/{SYMBOL}``: search, expiration, strikes filter, chain, positions.

Intents wait only for the page to finish the request they started (the "Loading…" status gone);
what the page then shows is for the test to check with ``expect``. Paths only, no hosts.
"""

from __future__ import annotations

from typing import Literal

from playwright.sync_api import Locator, Page

from pages.chain_table import ChainTable
from pages.positions import PositionsPanel

StrikesChoice = Literal["+/-5 strikes", "All"]


class OptionsPage:
    """One symbol's options chain with its controls, banners and the positions panel."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading: Locator = page.get_by_role("heading", level=1)
        self.symbol_box: Locator = page.get_by_role("searchbox", name="Symbol", exact=True)
        self.go_button: Locator = page.get_by_role("button", name="Go", exact=True)
        self.underlying_price_cell: Locator = page.get_by_test_id("underlying-price")
        self.expiration_picker: Locator = page.get_by_role("combobox", name="Expiration")
        self.strikes_filter: Locator = page.get_by_role("combobox", name="Strikes")
        self.loading: Locator = page.get_by_test_id("loading")
        self.error_banner: Locator = page.get_by_test_id("error-banner")
        self.retry_button: Locator = self.error_banner.get_by_role("button", name="Retry")
        self.no_options: Locator = page.get_by_test_id("no-options")
        self.invalid_symbol: Locator = page.get_by_test_id("invalid-symbol")
        self.chain = ChainTable(page)
        self.positions = PositionsPanel(page)

    @staticmethod
    def path_for(symbol: str) -> str:
        """The page's path for ``symbol``."""
        return f"/options/{symbol}"

    def open(self, symbol: str) -> None:
        """Navigate to ``symbol``'s page (deep link) and let its first request finish."""
        self.page.goto(self.path_for(symbol))
        self.wait_until_loaded()

    def reload(self) -> None:
        """Reload the browser tab on the current URL."""
        self.page.reload()
        self.wait_until_loaded()

    def go_back(self) -> None:
        """The browser's Back button."""
        self.page.go_back()
        self.wait_until_loaded()

    def search(self, symbol: str) -> None:
        """Type ``symbol`` in the Symbol search box and submit with Enter."""
        self.symbol_box.fill(symbol)
        self.symbol_box.press("Enter")
        self.wait_until_loaded()

    def choose_expiration(self, date: str) -> None:
        """Pick the expiration ``YYYY-MM-DD``."""
        self.expiration_picker.select_option(value=date)
        self.wait_until_loaded()

    def show_strikes(self, choice: StrikesChoice) -> None:
        """Choose how many strikes to show: "+/-5 strikes" or "All" (no request involved)."""
        self.strikes_filter.select_option(label=choice)

    def retry(self) -> None:
        """Press Retry on the error banner."""
        self.retry_button.click()
        self.wait_until_loaded()

    def wait_until_loaded(self) -> None:
        """Wait until no chain request is in flight (the "Loading…" status is hidden)."""
        self.loading.wait_for(state="hidden")

    # ------------------------------------------------------------------ queries

    def title(self) -> str:
        """The level-1 heading, e.g. "SPY options"."""
        return self.heading.inner_text().strip()

    def underlying_price(self) -> str:
        """The underlying's last price as displayed (2 decimals)."""
        return self.underlying_price_cell.inner_text().strip()

    def expirations(self) -> list[str]:
        """The dates offered by the expiration picker, in order."""
        return self.expiration_picker.locator("option").evaluate_all(
            "(options) => options.map((o) => o.value)"
        )

    def selected_expiration(self) -> str:
        """The expiration currently picked."""
        return self.expiration_picker.input_value()

    def strikes_choice(self) -> str:
        """The label of the strikes filter's current choice."""
        return self.strikes_filter.evaluate("(s) => s.options[s.selectedIndex].label")

    def error_text(self) -> str:
        """The error banner's message (without the Retry button's label)."""
        return self.error_banner.get_by_test_id("error-message").inner_text().strip()
