"""Sign-in once per run and the storage state that carries it into browser contexts."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from fixtures.session import (
    REFRESH_MARGIN_S,
    SESSION_STORAGE_KEY,
    DeskSession,
    SignInError,
    origin_of,
)
from tests.browser.site import TOKEN_TTL_S, LocalSite


def test_context_starts_with_the_session_in_local_storage(
    page: Page, local_site: LocalSite
) -> None:
    before_ms = time.time() * 1000
    page.goto(local_site.url + "/")
    raw = page.evaluate(f"() => window.localStorage.getItem({SESSION_STORAGE_KEY!r})")
    session = json.loads(raw)
    assert session["token"] in local_site.logins
    assert session["username"] == local_site.username
    assert before_ms < session["expires_at"] <= time.time() * 1000 + TOKEN_TTL_S * 1000


def _stored_session(page: Page) -> str | None:
    value: str | None = page.evaluate(f"() => window.localStorage.getItem({SESSION_STORAGE_KEY!r})")
    return value


def _sign_out_like_the_app(page: Page) -> None:
    page.evaluate(f"() => window.localStorage.removeItem({SESSION_STORAGE_KEY!r})")


def test_a_cleared_session_stays_cleared_on_the_next_navigation(
    page: Page, local_site: LocalSite
) -> None:
    page.goto(local_site.url + "/")
    _sign_out_like_the_app(page)
    page.goto(local_site.url + "/errors")
    assert _stored_session(page) is None


def test_a_cleared_session_stays_cleared_after_a_reload(page: Page, local_site: LocalSite) -> None:
    page.goto(local_site.url + "/")
    _sign_out_like_the_app(page)
    page.reload()
    assert _stored_session(page) is None


def test_a_cleared_session_stays_cleared_in_a_new_tab(
    context: BrowserContext, page: Page, local_site: LocalSite
) -> None:
    page.goto(local_site.url + "/")
    _sign_out_like_the_app(page)
    other = context.new_page()
    other.goto(local_site.url + "/")
    assert _stored_session(other) is None


def test_a_wiped_local_storage_stays_wiped_in_the_same_tab(
    page: Page, local_site: LocalSite
) -> None:
    page.goto(local_site.url + "/")
    page.evaluate("() => window.localStorage.clear()")
    page.goto(local_site.url + "/errors")
    assert _stored_session(page) is None


def test_a_new_tab_of_a_fresh_context_is_signed_in(
    context: BrowserContext, local_site: LocalSite
) -> None:
    first = context.new_page()
    second = context.new_page()
    second.goto(local_site.url + "/")
    first.goto(local_site.url + "/")
    assert _stored_session(first) == _stored_session(second) is not None


def test_the_session_is_only_for_the_base_url_origin(page: Page, local_site: LocalSite) -> None:
    # Same server, another origin: "localhost" instead of "127.0.0.1".
    other_origin = local_site.url.replace("127.0.0.1", "localhost")
    page.goto(other_origin + "/")
    assert _stored_session(page) is None


@pytest.mark.signed_out
def test_signed_out_context_has_an_empty_storage_state(
    context: BrowserContext, page: Page, local_site: LocalSite
) -> None:
    page.goto(local_site.url + "/")
    assert context.storage_state() == {"cookies": [], "origins": []}


@pytest.mark.signed_out
def test_signed_out_tests_get_no_init_script(session_init_script: str | None) -> None:
    assert session_init_script is None


@pytest.mark.browser_context_args(storage_state={"cookies": [], "origins": []})
def test_a_storage_state_of_the_test_s_own_replaces_the_session(
    page: Page, local_site: LocalSite
) -> None:
    page.goto(local_site.url + "/")
    assert _stored_session(page) is None


def test_the_run_signs_in_once(desk_session: DeskSession, new_context: Any) -> None:
    new_context()
    new_context()
    assert desk_session.sign_ins == 1


def test_a_token_near_expiry_is_renewed(local_site: LocalSite) -> None:
    now = [1_000_000.0]
    session = DeskSession(
        local_site.url, local_site.username, local_site.password, clock=lambda: now[0]
    )
    first = session.storage_state()
    now[0] += TOKEN_TTL_S - REFRESH_MARGIN_S + 1
    second = session.storage_state()
    assert session.sign_ins == 2
    assert first != second


def test_wrong_credentials_fail_with_the_status_and_without_the_password(
    local_site: LocalSite,
) -> None:
    wrong = SimpleNamespace(username=local_site.username, password="not-the-password-123")
    session = DeskSession(local_site.url, wrong.username, wrong.password)
    with pytest.raises(SignInError, match="HTTP 401") as failure:
        session.storage_state()
    assert wrong.password not in str(failure.value)


def test_origin_drops_path_and_query() -> None:
    assert origin_of("http://127.0.0.1:3999/options/SPY?x=1") == "http://127.0.0.1:3999"
