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


def test_storage_state_is_for_the_base_url_origin(
    browser_context_args: dict[str, Any], local_site: LocalSite
) -> None:
    origins = browser_context_args["storage_state"]["origins"]
    assert [origin["origin"] for origin in origins] == [local_site.url]


@pytest.mark.signed_out
def test_signed_out_context_has_an_empty_storage_state(context: BrowserContext) -> None:
    assert context.storage_state() == {"cookies": [], "origins": []}


@pytest.mark.signed_out
def test_signed_out_context_args_have_no_storage_state(
    browser_context_args: dict[str, Any],
) -> None:
    assert "storage_state" not in browser_context_args


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
