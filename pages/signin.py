"""Sign-in page (``/signin?next=...``): the user's way in when there is no session.

Paths only: the browser context's ``base_url`` supplies the host.
"""

from __future__ import annotations

from urllib.parse import quote

from playwright.sync_api import Locator, Page


class SignInPage:
    """The sign-in form: heading "Sign in", "Username", "Password", button "Sign in"."""

    PATH = "/signin"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading: Locator = page.get_by_role("heading", name="Sign in", exact=True)
        self.username: Locator = page.get_by_role("textbox", name="Username", exact=True)
        self.password: Locator = page.get_by_label("Password", exact=True)
        self.submit: Locator = page.get_by_role("button", name="Sign in", exact=True)
        # Only the sign-in alert is visible on this page; hidden elements have no role.
        self.error: Locator = page.get_by_role("alert")

    @classmethod
    def path_for(cls, next_path: str | None = None) -> str:
        """The sign-in path that returns to ``next_path`` afterwards."""
        if next_path is None:
            return cls.PATH
        return f"{cls.PATH}?next={quote(next_path, safe='')}"

    def open(self, next_path: str | None = None) -> None:
        """Go to the sign-in page, optionally asking to come back to ``next_path``."""
        self.page.goto(self.path_for(next_path))

    def sign_in(self, username: str, password: str) -> None:
        """Fill in the credentials and submit (the page then navigates to ``next`` on success)."""
        self.username.fill(username)
        self.password.fill(password)
        self.submit.click()

    def error_text(self) -> str:
        """The text of the sign-in alert (bad credentials, server unreachable)."""
        return self.error.inner_text().strip()
