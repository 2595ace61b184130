"""API contract checks (API-xx), with httpx against the backend and through the frontend proxy."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from acceptance.audit import RunAudit
from acceptance.clients import DeskApi, SentrySink, StubControl
from acceptance.conftest import MARKET_DATA_GROUP
from fixtures.serverlog import LogWatch
from fixtures.servers import family_pids

OPTION_FIELDS = {"symbol", "bid", "ask", "last", "volume", "open_interest", "iv", "delta"}
PROTECTED = ["/api/options/expirations/SPY", "/api/options/chain/SPY", "/api/positions"]


@pytest.mark.checklist("API-01")
def test_health_names_the_instance_the_harness_started(
    anonymous_api: DeskApi, backend_server
) -> None:
    health = anonymous_api.health()

    assert health["status"] == "ok"
    assert {"version", "pid", "instance_id", "started_at"} <= health.keys()
    if backend_server is not None and backend_server.identity == "echo":
        assert health["instance_id"] == backend_server.instance_id, (
            "the backend answering the port is not the one the harness started"
        )
        assert health["pid"] == backend_server.pid
    elif backend_server is not None:  # no echo: the answering process is one the harness started
        assert health["pid"] in family_pids(backend_server.pid), (
            f"the backend answering the port (pid {health['pid']}) is not in the process tree "
            f"the harness started (pid {backend_server.pid})"
        )


@pytest.mark.checklist("API-02")
def test_expirations_are_unique_future_iso_dates_in_order(desk_api: DeskApi) -> None:
    expirations = desk_api.expirations("SPY")

    assert len(expirations) >= 2
    dates = [dt.date.fromisoformat(day) for day in expirations]
    assert dates == sorted(set(dates))


@pytest.mark.checklist("API-02")
@pytest.mark.needs_stub_control
def test_a_single_expiration_arrives_as_a_list(desk_api: DeskApi) -> None:
    # Tradier sends a lone expiration as a bare string; the backend must still answer a list.
    assert len(desk_api.expirations("ONEX")) == 1


@pytest.mark.checklist("API-03")
def test_chain_has_a_call_and_a_put_for_every_strike_in_ascending_order(desk_api: DeskApi) -> None:
    chain = desk_api.chain("SPY")

    strikes = [row["strike"] for row in chain["strikes"]]
    assert strikes == sorted(strikes) and len(strikes) == len(set(strikes)) > 10
    for row in chain["strikes"]:
        assert row["call"].keys() >= OPTION_FIELDS, row["strike"]
        assert row["put"].keys() >= OPTION_FIELDS, row["strike"]
        assert row["call"]["bid"] <= row["call"]["ask"]
        assert row["put"]["bid"] <= row["put"]["ask"]
    assert chain["expiration"] == chain["expirations"][0], "nearest expiration by default"


@pytest.mark.checklist("API-03")
def test_chain_marks_at_and_in_the_money_from_the_underlying(desk_api: DeskApi) -> None:
    chain = desk_api.chain("SPY")
    last = chain["underlying"]["last"]
    strikes = [row["strike"] for row in chain["strikes"]]

    assert chain["atm_strike"] == min(strikes, key=lambda strike: (abs(strike - last), strike))
    for row in chain["strikes"]:
        assert row["call"]["in_the_money"] is (row["strike"] < last), row["strike"]
        assert row["put"]["in_the_money"] is (row["strike"] > last), row["strike"]


@pytest.mark.checklist("API-03")
def test_chain_for_a_named_expiration_is_that_expiration(desk_api: DeskApi) -> None:
    later = desk_api.expirations("SPY")[1]

    chain = desk_api.chain("SPY", later)

    assert chain["expiration"] == later
    assert all(later.replace("-", "")[2:] in row["call"]["symbol"] for row in chain["strikes"])


@pytest.mark.checklist("API-04")
@pytest.mark.parametrize("path", PROTECTED)
def test_no_token_is_401(anonymous_api: DeskApi, path: str) -> None:
    response = anonymous_api.http.get(path)

    assert response.status_code == 401
    assert response.headers.get("www-authenticate", "").lower().startswith("bearer")
    assert "detail" in response.json()


@pytest.mark.checklist("API-04")
@pytest.mark.parametrize("token", ["not-a-jwt", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"])
def test_a_bad_token_is_401(http: httpx.Client, api_url: str, token: str) -> None:
    response = http.get(f"{api_url}/api/positions", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


@pytest.mark.checklist("API-04")
def test_an_expired_token_is_401(http: httpx.Client, api_url: str, expired_token: str) -> None:
    response = http.get(
        f"{api_url}/api/options/chain/SPY", headers={"Authorization": f"Bearer {expired_token}"}
    )

    assert response.status_code == 401


@pytest.mark.checklist("API-04")
def test_wrong_credentials_are_401(anonymous_api: DeskApi, desk_credentials) -> None:
    response = anonymous_api.http.post(
        "/api/auth/login", json={"username": desk_credentials.username, "password": "wrong"}
    )

    assert response.status_code == 401


@pytest.mark.checklist("API-05")
def test_an_unknown_symbol_is_404_with_a_reason(desk_api: DeskApi) -> None:
    for path in ("/api/options/chain/ZZZZ", "/api/options/expirations/ZZZZ"):
        response = desk_api.http.get(path)

        assert response.status_code == 404, path
        assert "ZZZZ" in response.json()["detail"]


@pytest.mark.checklist("API-05")
@pytest.mark.parametrize(
    "path",
    [
        "/api/options/chain/SP%20Y",
        "/api/options/chain/TOOLONGSYM",
        "/api/options/chain/SPY?expiration=2026-13-45",
        "/api/options/chain/SPY?expiration=soon",
    ],
)
def test_malformed_input_is_422(desk_api: DeskApi, path: str) -> None:
    response = desk_api.http.get(path)

    assert response.status_code == 422
    assert "detail" in response.json()


@pytest.mark.checklist("API-05")
def test_an_expiration_the_symbol_does_not_have_is_404(desk_api: DeskApi) -> None:
    response = desk_api.http.get("/api/options/chain/SPY", params={"expiration": "2001-01-05"})

    assert response.status_code == 404


@pytest.mark.checklist("API-06")
@pytest.mark.needs_stub_control
@pytest.mark.expect_server_status(502)
@pytest.mark.parametrize("status", [500, 503])
def test_an_upstream_error_is_502_not_500(
    desk_api: DeskApi, stub_control: StubControl, status: int
) -> None:
    stub_control.fault(status=status, times=1)

    response = desk_api.http.get("/api/options/chain/SPY")

    assert response.status_code == 502
    assert response.json()["code"].startswith("upstream")
    assert desk_api.http.get("/api/options/chain/SPY").status_code == 200, "recovers at once"


@pytest.mark.checklist("API-06")
@pytest.mark.needs_stub_control
@pytest.mark.expect_server_status(502)
def test_a_dropped_upstream_connection_is_502(desk_api: DeskApi, stub_control: StubControl) -> None:
    stub_control.fault(drop=True, times=1)

    response = desk_api.http.get("/api/options/expirations/SPY")

    assert response.status_code == 502


@pytest.mark.checklist("API-06")
@pytest.mark.needs_stub_control
@pytest.mark.expect_server_status(504)
def test_a_stalled_upstream_is_504(
    desk_api: DeskApi, stub_control: StubControl, upstream_timeout_s: float
) -> None:
    stub_control.fault(status=200, times=1, delay_ms=int(upstream_timeout_s * 1000) + 1500)

    response = desk_api.http.get("/api/options/expirations/SPY")

    assert response.status_code == 504
    assert response.json()["code"] == "upstream_timeout"


@pytest.mark.checklist("API-07")
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/admin", 404),
        ("GET", "/api/../api/admin", 404),
        ("POST", "/api/options/chain/SPY", 405),
        ("DELETE", "/api/positions", 405),
        ("PUT", "/api/auth/login", 405),
    ],
)
def test_the_proxy_refuses_what_is_not_allowlisted(
    http: httpx.Client,
    base_url: str,
    desk_token: str,
    backend_log: LogWatch,
    method: str,
    path: str,
    status: int,
) -> None:
    response = http.request(
        method, f"{base_url}{path}", headers={"Authorization": f"Bearer {desk_token}"}
    )

    assert response.status_code == status
    reached = [r.path for r in backend_log.requests() if (r.path or "").startswith("/api/")]
    assert reached == [], f"refused request reached the backend: {reached}"


@pytest.mark.checklist("API-07")
def test_the_proxy_passes_allowlisted_reads_unchanged(
    http: httpx.Client, base_url: str, desk_api: DeskApi
) -> None:
    direct = desk_api.expirations("SPY")

    proxied = http.get(
        f"{base_url}/api/options/expirations/SPY", headers=dict(desk_api.http.headers)
    )

    assert proxied.status_code == 200
    assert proxied.json()["expirations"] == direct


@pytest.mark.checklist("API-08")
def test_the_stream_does_not_take_a_token_in_the_url(
    http: httpx.Client, api_url: str, desk_token: str, run_audit: RunAudit
) -> None:
    request = http.build_request(
        "GET", f"{api_url}/api/positions/stream", params={"access_token": desk_token}
    )
    # Sent on purpose: a server that logs request lines records it, and that is not the app's leak.
    run_audit.deliberate.add(request.url.raw_path)
    response = http.send(request)

    assert response.status_code == 401


@pytest.mark.checklist("API-08")
@pytest.mark.xdist_group(MARKET_DATA_GROUP)  # reads positions (market data) without desk_api
def test_no_token_or_password_in_answers_or_server_logs(
    anonymous_api: DeskApi, desk_credentials, server_logs: list[LogWatch], remember_secret
) -> None:
    answer = anonymous_api.http.post(
        "/api/auth/login",
        json={"username": desk_credentials.username, "password": desk_credentials.password},
    )
    token = remember_secret(answer.json()["access_token"])
    with DeskApi(str(anonymous_api.http.base_url), token) as signed_in:
        signed_in.positions()

    assert desk_credentials.password not in answer.text
    for watch in server_logs:
        text = watch.text()
        assert token not in text, f"token in {watch.path.name}"
        assert desk_credentials.password not in text, f"password in {watch.path.name}"
        assert not re.search(r"[?&](access_)?token=", text), f"token in a URL in {watch.path.name}"


@pytest.mark.checklist("API-09")
@pytest.mark.needs_stub_control
@pytest.mark.expect_server_status(502)
def test_an_upstream_outage_reaches_sentry(
    desk_api: DeskApi, stub_control: StubControl, sentry_sink: SentrySink, desk_token: str
) -> None:
    stub_control.fault(status=500, times=1)

    assert desk_api.http.get("/api/options/chain/TSLA").status_code == 502

    events = sentry_sink.wait_for_events()
    assert any("Upstream" in event for event in events), "no Sentry event for the upstream outage"
    assert all(desk_token not in text for text in events), "the bearer token reached Sentry"
