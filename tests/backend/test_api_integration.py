"""Integration: the real backend process against the real Tradier stub process, over HTTP."""

from __future__ import annotations

import json
import time

import httpx
import jwt

from tests.backend.conftest import AUTH_SECRET, USERS, StartBackend, login, stub_control
from tests.support.procs import RunningServer, free_port


def log_lines(server: RunningServer) -> list[dict[str, object]]:
    return [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]


def wait_for_log(server: RunningServer, predicate: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(predicate(line) for line in log_lines(server)):  # type: ignore[operator]
            return
        time.sleep(0.02)  # polling a condition with a deadline
    raise AssertionError(f"log line not found; tail:\n{server.log()[-2000:]}")


# --- health and identity -------------------------------------------------------------------


def test_health_is_public_and_echoes_instance_id(api: httpx.Client, backend: RunningServer) -> None:
    body = api.get("/api/health").json()
    assert body["status"] == "ok"
    assert body["instance_id"] == "qe-backend-it"
    assert body["pid"] == backend.proc.pid
    assert body["version"]
    assert body["started_at"]


def test_startup_line_names_pid_port_version_instance(backend: RunningServer) -> None:
    startup = [line for line in log_lines(backend) if line.get("event") == "startup"]
    assert len(startup) == 1
    assert startup[0]["pid"] == backend.proc.pid
    assert startup[0]["port"] == backend.port
    assert startup[0]["instance_id"] == "qe-backend-it"
    assert startup[0]["version"]


def test_request_line_logged_without_query(api: httpx.Client, backend: RunningServer) -> None:
    api.get("/api/health", params={"probe": "marker-q"})
    wait_for_log(backend, lambda line: line.get("event") == "request")
    requests = [line for line in log_lines(backend) if line.get("event") == "request"]
    assert all("?" not in str(line["path"]) for line in requests)
    assert "marker-q" not in backend.log()


# --- auth ----------------------------------------------------------------------------------


def test_login_returns_bearer_token(api: httpx.Client) -> None:
    response = api.post("/api/auth/login", json={"username": "qe", "password": USERS["qe"]})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert jwt.decode(body["access_token"], AUTH_SECRET, algorithms=["HS256"])["sub"] == "qe"


def test_login_with_wrong_password_is_401(api: httpx.Client) -> None:
    response = api.post("/api/auth/login", json={"username": "qe", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["detail"]


def test_login_with_missing_field_is_json_422(api: httpx.Client) -> None:
    response = api.post("/api/auth/login", json={"username": "qe"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert "password" in response.json()["detail"]


def test_no_token_is_401_with_www_authenticate(api: httpx.Client) -> None:
    response = api.get("/api/options/expirations/SPY")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "not_authenticated"


def test_bad_token_is_401(api: httpx.Client) -> None:
    response = api.get("/api/positions", headers={"Authorization": "Bearer not-a-jwt"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_expired_token_is_401(api: httpx.Client) -> None:
    past = int(time.time()) - 3600
    token = jwt.encode({"sub": "qe", "iat": past, "exp": past + 60}, AUTH_SECRET)
    response = api.get("/api/positions", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_token_expires_after_its_ttl(start_backend: StartBackend) -> None:
    with start_backend(AUTH_TOKEN_TTL_S="1") as server, httpx.Client(base_url=server.url) as c:
        headers = {"Authorization": f"Bearer {login(c)}"}
        assert c.get("/api/positions", headers=headers).status_code == 200
        deadline = time.monotonic() + 5
        status = 200
        while status == 200 and time.monotonic() < deadline:
            status = c.get("/api/options/expirations/SPY", headers=headers).status_code
            time.sleep(0.05)  # polling a condition with a deadline
        assert status == 401


def test_unknown_route_is_json_404(api: httpx.Client) -> None:
    response = api.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_test_routes_are_off_by_default(authed: httpx.Client) -> None:
    assert authed.get("/api/__test/boom").status_code == 404


# --- options -------------------------------------------------------------------------------


def test_expirations_are_listed(authed: httpx.Client) -> None:
    body = authed.get("/api/options/expirations/SPY").json()
    assert body["symbol"] == "SPY"
    assert len(body["expirations"]) > 1
    assert body["expirations"] == sorted(body["expirations"])


def test_single_expiration_symbol_gives_a_list(authed: httpx.Client) -> None:
    body = authed.get("/api/options/expirations/ONEX").json()
    assert isinstance(body["expirations"], list)
    assert len(body["expirations"]) == 1


def test_lower_case_symbol_is_accepted(authed: httpx.Client) -> None:
    assert authed.get("/api/options/expirations/spy").json()["symbol"] == "SPY"


def test_chain_defaults_to_nearest_expiration(authed: httpx.Client) -> None:
    expirations = authed.get("/api/options/expirations/SPY").json()["expirations"]
    body = authed.get("/api/options/chain/SPY").json()
    assert body["expiration"] == expirations[0]
    assert body["expirations"] == expirations


def test_chain_for_named_expiration(authed: httpx.Client) -> None:
    second = authed.get("/api/options/expirations/AAPL").json()["expirations"][1]
    body = authed.get("/api/options/chain/AAPL", params={"expiration": second}).json()
    assert body["expiration"] == second
    assert all(row["call"]["symbol"].startswith("AAPL") for row in body["strikes"])


def test_chain_strikes_ascending_with_atm(authed: httpx.Client) -> None:
    body = authed.get("/api/options/chain/SPY").json()
    strikes = [row["strike"] for row in body["strikes"]]
    last = body["underlying"]["last"]
    assert strikes == sorted(strikes)
    assert body["atm_strike"] == min(strikes, key=lambda s: (abs(s - last), s))


def test_chain_itm_flags_follow_the_underlying(authed: httpx.Client) -> None:
    body = authed.get("/api/options/chain/SPY").json()
    last = body["underlying"]["last"]
    for row in body["strikes"]:
        assert row["call"]["in_the_money"] == (row["strike"] < last)
        assert row["put"]["in_the_money"] == (row["strike"] > last)


def test_chain_iv_is_a_fraction(authed: httpx.Client) -> None:
    body = authed.get("/api/options/chain/SPY").json()
    (atm,) = [row for row in body["strikes"] if row["strike"] == body["atm_strike"]]
    assert 0 < atm["call"]["iv"] < 3
    assert all(0 <= row["call"]["iv"] < 3 for row in body["strikes"])


def test_unknown_symbol_is_404(authed: httpx.Client) -> None:
    response = authed.get("/api/options/chain/ZZZZ")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_symbol"


def test_unknown_symbol_expirations_is_404(authed: httpx.Client) -> None:
    assert authed.get("/api/options/expirations/ZZZZ").status_code == 404


def test_unknown_expiration_is_404(authed: httpx.Client) -> None:
    response = authed.get("/api/options/chain/SPY", params={"expiration": "2001-01-05"})
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_expiration"


def test_malformed_symbol_is_422(authed: httpx.Client) -> None:
    response = authed.get("/api/options/chain/SPY123")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_symbol"


def test_malformed_date_is_422(authed: httpx.Client) -> None:
    response = authed.get("/api/options/chain/SPY", params={"expiration": "2026-02-30"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_expiration"


# --- upstream failures ---------------------------------------------------------------------


def test_upstream_500_is_502(authed: httpx.Client, reset_stub: RunningServer) -> None:
    stub_control(reset_stub, "/__control/fault", {"status": 500, "times": 1})
    response = authed.get("/api/options/chain/SPY")
    assert response.status_code == 502
    assert response.json()["code"] == "upstream_error"


def test_upstream_recovers_after_fault(authed: httpx.Client, reset_stub: RunningServer) -> None:
    stub_control(reset_stub, "/__control/fault", {"status": 503, "times": 1})
    assert authed.get("/api/options/chain/SPY").status_code == 502
    assert authed.get("/api/options/chain/SPY").status_code == 200


def test_upstream_drop_is_502(authed: httpx.Client, reset_stub: RunningServer) -> None:
    stub_control(reset_stub, "/__control/fault", {"drop": True, "times": 1})
    response = authed.get("/api/options/expirations/SPY")
    assert response.status_code == 502
    assert response.json()["code"] == "upstream_error"


def test_upstream_stall_is_504(authed: httpx.Client, reset_stub: RunningServer) -> None:
    stub_control(reset_stub, "/__control/fault", {"delay_ms": 3000, "times": 1})
    response = authed.get("/api/options/expirations/SPY")
    assert response.status_code == 504
    assert response.json()["code"] == "upstream_timeout"


def test_upstream_fault_on_chains_only_is_502(
    authed: httpx.Client, reset_stub: RunningServer
) -> None:
    stub_control(reset_stub, "/__control/fault", {"status": 500, "endpoint": "chains"})
    assert authed.get("/api/options/chain/SPY").status_code == 502


def test_upstream_refused_is_502(start_backend: StartBackend) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    with start_backend(TRADIER_BASE_URL=closed) as server, httpx.Client(base_url=server.url) as c:
        headers = {"Authorization": f"Bearer {login(c)}"}
        response = c.get("/api/options/chain/SPY", headers=headers)
    assert response.status_code == 502
    assert response.json()["code"] == "upstream_error"


def test_upstream_rejecting_token_is_502_upstream_auth(start_backend: StartBackend) -> None:
    with (
        start_backend(TRADIER_TOKEN="wrong-token") as server,
        httpx.Client(base_url=server.url) as c,
    ):
        headers = {"Authorization": f"Bearer {login(c)}"}
        response = c.get("/api/options/expirations/SPY", headers=headers)
    assert response.status_code == 502
    assert response.json()["code"] == "upstream_auth"
    assert "wrong-token" not in response.text


# --- positions -----------------------------------------------------------------------------


def test_positions_are_marked(authed: httpx.Client) -> None:
    body = authed.get("/api/positions").json()
    assert body["as_of"]
    assert body["positions"]
    for position in body["positions"]:
        assert position["mark"] is not None
        expected = (position["mark"] - position["avg_price"]) * position["quantity"] * 100
        assert abs(position["pnl"] - expected) < 0.01


def test_positions_are_per_user(api: httpx.Client) -> None:
    mine = api.get("/api/positions", headers={"Authorization": f"Bearer {login(api)}"})
    theirs = api.get("/api/positions", headers={"Authorization": f"Bearer {login(api, 'trader')}"})
    assert mine.json()["positions"] != theirs.json()["positions"]


def test_position_symbols_are_real_options(authed: httpx.Client) -> None:
    position = authed.get("/api/positions").json()["positions"][0]
    chain = authed.get(
        f"/api/options/chain/{position['underlying']}",
        params={"expiration": position["expiration"]},
    ).json()
    side = position["option_type"]
    assert position["symbol"] in {row[side]["symbol"] for row in chain["strikes"]}
