"""What a deployment can prove without the stub (DEP-xx): they run in bundled and target mode.

Nothing here moves a quote, injects a fault or writes data: the live panel is judged on what the
stream sends on its own (updates and heartbeats), the transport on what any client would see.
DEP-02 (the health identity stays the same across the run) is recorded at the end of the session
by acceptance/conftest.py.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from pages.options import OptionsPage
from reports import runinfo

# The backend sends a heartbeat every 2 s and the page gives up on a stream after 5 s of silence
# (docs/CONTRACTS.md §3, §4): within the page's own limit, something must arrive.
STREAM_BUDGET_MS = 5_000
REDIRECTS = (301, 302, 307, 308)


@pytest.mark.checklist("DEP-01")
@pytest.mark.browser
def test_positions_go_live_and_keep_receiving(page, context: BrowserContext) -> None:
    options_page = OptionsPage(page)
    panel = options_page.positions

    # Given the SPY page, its positions panel goes Live
    options_page.open("SPY")
    expect(panel.status).to_have_text("Live")

    # Then, with nothing moving in the market, the stream still delivers within its budget
    expect(panel.status).to_have_attribute("data-received", re.compile(r"^\d+$"))
    seen = panel.received()
    expect(panel.status).not_to_have_attribute("data-received", str(seen), timeout=STREAM_BUDGET_MS)
    expect(panel.status).to_have_text("Live")

    # When the network drops and returns, it says Reconnecting, then Live, and data flows again
    context.set_offline(True)
    expect(panel.status).to_have_text("Reconnecting")
    context.set_offline(False)
    expect(panel.status).to_have_text("Live")
    seen = panel.received()
    expect(panel.status).not_to_have_attribute("data-received", str(seen), timeout=STREAM_BUDGET_MS)


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.mark.checklist("DEP-03")
def test_https_verifies_and_plain_http_redirects_to_it(
    request: pytest.FixtureRequest, http: httpx.Client, base_url: str, api_url: str
) -> None:
    entry_points = {"frontend": (base_url, "/"), "backend": (api_url, "/api/health")}
    plain = {name: url for name, (url, _) in entry_points.items() if url.startswith("http://")}
    if plain and all(_loopback(url) for url in plain.values()):
        reason = f"plain HTTP on loopback ({', '.join(plain.values())}): no TLS to check"
        runinfo.mark_not_applicable(request.node, reason)
        pytest.skip(reason)

    assert plain == {}, f"served over plain HTTP, not HTTPS: {plain}"
    for name, (url, path) in entry_points.items():
        # Given the https address, the certificate verifies (httpx raises otherwise)
        assert http.get(f"{url}{path}").status_code < 500, f"{name} {url}{path}"

        # When the same address is asked over plain HTTP, it redirects to HTTPS
        insecure = "http://" + url.removeprefix("https://")
        answer = http.get(f"{insecure}{path}", follow_redirects=False)
        assert answer.status_code in REDIRECTS, f"{name}: {insecure}{path} -> {answer.status_code}"
        assert answer.headers.get("location", "").startswith("https://"), (
            f"{name}: {insecure}{path} redirects to {answer.headers.get('location')!r}"
        )


@pytest.mark.checklist("DEP-04")
def test_pages_and_account_data_send_security_headers(
    http: httpx.Client, base_url: str, desk_token: str
) -> None:
    page = http.get(f"{base_url}/options/SPY")
    positions = http.get(
        f"{base_url}/api/positions", headers={"Authorization": f"Bearer {desk_token}"}
    )

    headers = page.headers
    csp = headers.get("content-security-policy", "")
    missing = []
    if not csp:
        missing.append("Content-Security-Policy")
    if "frame-ancestors" not in csp and "x-frame-options" not in headers:
        missing.append("CSP frame-ancestors or X-Frame-Options (the page can be framed)")
    if headers.get("x-content-type-options", "").lower() != "nosniff":
        missing.append("X-Content-Type-Options: nosniff")
    if "referrer-policy" not in headers:
        missing.append("Referrer-Policy")
    if base_url.startswith("https://") and "strict-transport-security" not in headers:
        missing.append("Strict-Transport-Security")
    if "no-store" not in positions.headers.get("cache-control", ""):
        missing.append("Cache-Control: no-store on /api/positions (account data)")
    assert page.status_code == 200 and positions.status_code == 200
    assert missing == [], f"{base_url} lacks: {'; '.join(missing)}"
