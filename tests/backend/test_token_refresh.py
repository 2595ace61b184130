"""A run that outlives the session token keeps its signed-in API clients working (issue 10, #9).

A real backend with an 8-second token lifetime (with 2 s, the 0.5 s refresh margin was less than
the second a JWT's whole-second ``exp`` can take off); the acceptance suite's own fixtures
(``desk_api``, ``desk_token``, loaded with ``-p acceptance.conftest``) in a real pytest run in
target mode. The middle test waits until the backend rejects the first test's token; the last one
must still be signed in.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.backend.conftest import USERS, StartBackend, clean_env
from tests.support.procs import REPO_ROOT

OUTLIVING_RUN = """
import time
import httpx

SEEN = {}

def test_1_signed_in(desk_api, desk_token):
    desk_api.positions()
    SEEN["token"] = desk_token

def test_2_the_first_token_expires(api_url):
    headers = {"Authorization": "Bearer " + SEEN["token"]}
    deadline = time.monotonic() + 30
    status = 200
    while status == 200 and time.monotonic() < deadline:
        status = httpx.get(api_url + "/api/positions", headers=headers).status_code
        time.sleep(0.05)  # polling a condition with a deadline
    assert status == 401

def test_3_still_signed_in(desk_api):
    desk_api.positions()
"""


def test_api_clients_outlive_the_first_token(start_backend: StartBackend, tmp_path: Path) -> None:
    suite = tmp_path / "acceptance"
    suite.mkdir()
    (suite / "test_outliving.py").write_text(OUTLIVING_RUN)
    with start_backend(AUTH_TOKEN_TTL_S="8") as server:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                str(suite),
                "-c",
                str(REPO_ROOT / "pytest.ini"),
                "--rootdir",
                str(REPO_ROOT),
                "-p",
                "fixtures.harness",
                "-p",
                "acceptance.conftest",
                "--base-url",
                server.url,
                "--api-url",
                server.url,
                "-rA",
            ],  # fmt: skip
            cwd=tmp_path,
            env=clean_env(PYTHONPATH=str(REPO_ROOT), QE_USERNAME="qe", QE_PASSWORD=USERS["qe"]),
            capture_output=True,
            text=True,
            timeout=120,
        )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "3 passed" in out, out
