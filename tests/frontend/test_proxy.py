"""The /api proxy against a really running backend (and Tradier stub)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from frontend.proxy import match
from tests.frontend.conftest import USERNAME, Stack
from tests.support.procs import RunningServer, free_port, run_server


def _wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)  # poll interval while waiting on a condition
    return predicate()


SENTINEL = "/api/options/expirations/SENTRY"


def _reached_backend(stack: Stack, method: str, path: str) -> bool:
    """Whether the backend logged ``method path``, once a later sentinel request is logged."""

    def sentinels() -> int:
        return sum(line["path"] == SENTINEL for line in stack.backend_request_lines())

    before = sentinels()
    httpx.get(stack.frontend.url + SENTINEL)
    assert _wait_for(lambda: sentinels() > before), "the sentinel never reached the backend log"
    return any(
        line["method"] == method and line["path"] == path for line in stack.backend_request_lines()
    )


def test_match_lists_allowed_methods_for_a_listed_path() -> None:
    route, allowed = match("DELETE", "/api/options/chain/SPY")
    assert route is None
    assert allowed == ["GET"]


def test_match_refuses_a_nested_symbol_path() -> None:
    route, allowed = match("GET", "/api/options/chain/SPY/extra")
    assert route is None
    assert allowed == []


def test_healthz_is_served_by_the_frontend_itself(stack: Stack) -> None:
    body = httpx.get(stack.frontend.url + "/healthz").json()
    assert body["status"] == "ok"
    assert body["instance_id"] == stack.frontend_instance_id
    assert body["pid"] == stack.frontend.proc.pid
    assert body["backend_url"] == stack.backend.url


def test_allowlisted_get_reaches_the_backend(stack: Stack) -> None:
    answer = httpx.get(stack.frontend.url + "/api/health")
    assert answer.status_code == 200
    assert answer.json()["instance_id"] == stack.backend_instance_id


def test_login_post_passes_through(stack: Stack) -> None:
    answer = httpx.post(
        stack.frontend.url + "/api/auth/login",
        json={"username": USERNAME, "password": stack.password},
    )
    assert answer.status_code == 200
    assert answer.json()["token_type"] == "bearer"


def test_bad_login_answer_passes_through_as_401(stack: Stack) -> None:
    answer = httpx.post(
        stack.frontend.url + "/api/auth/login", json={"username": USERNAME, "password": "nope"}
    )
    assert answer.status_code == 401


def test_authorization_and_query_string_are_forwarded(stack: Stack) -> None:
    headers = {"Authorization": f"Bearer {stack.token()}"}
    expirations = httpx.get(
        stack.frontend.url + "/api/options/expirations/SPY", headers=headers
    ).json()["expirations"]
    answer = httpx.get(
        stack.frontend.url + "/api/options/chain/SPY",
        params={"expiration": expirations[1]},
        headers=headers,
    )
    assert answer.status_code == 200
    assert answer.json()["expiration"] == expirations[1]


def test_backend_401_keeps_its_www_authenticate_header(stack: Stack) -> None:
    answer = httpx.get(stack.frontend.url + "/api/positions")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].lower().startswith("bearer")


def test_unlisted_path_is_404_and_never_reaches_the_backend(stack: Stack) -> None:
    answer = httpx.get(stack.frontend.url + "/api/admin/users")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
    assert not _reached_backend(stack, "GET", "/api/admin/users")


def test_wrong_method_is_405_and_never_reaches_the_backend(stack: Stack) -> None:
    answer = httpx.post(stack.frontend.url + "/api/options/chain/SPY", json={})
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET"
    assert not _reached_backend(stack, "POST", "/api/options/chain/SPY")


def test_stream_delivers_the_first_event_while_still_open(stack: Stack) -> None:
    headers = {"Authorization": f"Bearer {stack.token()}", "Accept": "text/event-stream"}
    timeout = httpx.Timeout(5.0)
    with httpx.stream(
        "GET", stack.frontend.url + "/api/positions/stream", headers=headers, timeout=timeout
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        event = next(line for line in lines if line.startswith("event:"))
        data = next(line for line in lines if line.startswith("data:"))
        # The backend never ends this stream, so a buffering proxy would time out above.
        assert not response.is_closed
    assert event == "event: positions"
    assert "positions" in json.loads(data.removeprefix("data:"))


@contextmanager
def _frontend(backend_port: int, tmp_path: Path, *args: str) -> Iterator[RunningServer]:
    """The frontend alone, proxying to whatever listens (or not) on ``backend_port``."""
    port = free_port()
    backend_url = f"http://127.0.0.1:{backend_port}"
    with run_server(
        ["-m", "frontend", "--port", str(port), "--backend-url", backend_url, *args],
        port=port,
        health_path="/healthz",
        log_path=tmp_path / "frontend.log",
    ) as frontend:
        yield frontend


def test_unreachable_backend_answers_502_json(tmp_path: Path) -> None:
    with _frontend(free_port(), tmp_path) as frontend:
        answer = httpx.get(frontend.url + "/api/health")
    assert answer.status_code == 502
    assert answer.json()["code"] == "backend_unreachable"


def test_hung_backend_answers_504_json(tmp_path: Path) -> None:
    # A socket that listens but never answers: the connection opens, no reply ever comes.
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)
        with _frontend(hung.getsockname()[1], tmp_path, "--backend-timeout", "0.5") as frontend:
            answer = httpx.get(frontend.url + "/api/health", timeout=10)
    assert answer.status_code == 504
    assert answer.json()["code"] == "backend_timeout"


def test_request_log_lines_carry_no_token_and_no_query(stack: Stack) -> None:
    token = stack.token()
    httpx.get(
        stack.frontend.url + "/api/options/chain/SPY",
        params={"expiration": "2099-01-01"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert _wait_for(lambda: "/api/options/chain/SPY" in stack.frontend.log())
    log = stack.frontend.log()
    requests = [json.loads(line) for line in log.splitlines() if '"event": "request"' in line]
    chain = [line for line in requests if line["path"] == "/api/options/chain/SPY"]
    assert token not in log
    assert "2099-01-01" not in log
    assert set(chain[0]) >= {"method", "path", "status", "duration_ms"}


class _ClosesItsFirstConnection:
    """A backend that answers the first request of its first connection, then closes that
    connection when the next request arrives on it (as a server does whose keep-alive expired
    just as the proxy reused the connection); every later connection is answered normally."""

    ANSWER = (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 15\r\n"
        b'connection: keep-alive\r\n\r\n{"status":"ok"}'
    )

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn, self.connections), daemon=True).start()

    def _serve(self, conn: socket.socket, number: int) -> None:
        with conn:
            answered = 0
            while self._read_request(conn):
                if number == 1 and answered == 1:
                    return  # closed without an answer
                conn.sendall(self.ANSWER)
                answered += 1

    @staticmethod
    def _read_request(conn: socket.socket) -> bool:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return False
            data += chunk
        return True


def test_a_get_on_a_connection_the_backend_just_closed_is_retried(tmp_path: Path) -> None:
    # Seen under load: OC-04 answered 502 "backend unreachable" in 35 ms, with no request in the
    # backend's log; the proxy had reused a keep-alive connection the backend had just closed.
    backend = _ClosesItsFirstConnection()
    with _frontend(backend.port, tmp_path) as frontend:
        first = httpx.get(frontend.url + "/api/health")
        second = httpx.get(frontend.url + "/api/health")
    backend.sock.close()
    assert (first.status_code, second.status_code) == (200, 200), second.text
    assert backend.connections == 2
