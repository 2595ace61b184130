"""The floor: the nine scenarios' work done by a bare script, with no harness around it.

What a full acceptance run cannot do without, measured on the same machine right after it:

- start the four bundled servers (the commands and environment of acceptance/stack.toml), all at
  once, polled every 20 ms until each health answers 200 (no port guard, no identity proof, no
  pre-launch check, no log watching);
- launch the Chromium the harness would pick, with the same arguments;
- sign in once through the API and seed each context with the same init script;
- the nine scenarios' page work and API calls (OC-01..OC-09): a fresh context and page each, the
  same navigations, clicks and waits through the same page objects, the same API and stub-control
  calls, without the checks' comparisons, evidence, reruns or server-log correlation;
- stop the browser and the servers (TERM, wait).

Not included: the API and environment checks (API-xx, ENV-xx: about 40 short HTTP exchanges and
one upstream-timeout wait), results, checklist and report writing. ``measure()`` returns each
part and their sum ``total_s``; the benchmark compares a run with the floor measured right after
it, at a similar load.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from fixtures.browser_choice import HOST_RESOLVER_RULE, find_system_chromium
from fixtures.servers import ServerSpec
from fixtures.session import seed_script, storage_state_for
from fixtures.stackfile import StackSecrets, load
from pages.options import OptionsPage
from pages.positions import PositionsPanel
from pages.signin import SignInPage

POLL_S = 0.02  # the harness's own readiness poll interval (fixtures/servers.py READY_POLL_S)
START_TIMEOUT_S = 60.0
HTTP_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
EXPECT_TIMEOUT_MS = 10_000
FLOOR_PARTS = ("servers_ready_s", "browser_launch_s", "sign_in_s", "scenarios_s", "stop_s")


class FloorError(RuntimeError):
    """The bare script could not do the work (a server did not start, a page did not load)."""


@contextlib.contextmanager
def _servers(specs: list[ServerSpec], log_dir: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    log_dir.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for spec in specs:
            with (log_dir / f"{spec.name}.log").open("wb") as log:
                procs.append(
                    subprocess.Popen(
                        list(spec.command),
                        cwd=spec.cwd,
                        env={**os.environ, **spec.env, "PYTHONUNBUFFERED": "1"},
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_ready(specs: list[ServerSpec], procs: list[subprocess.Popen[bytes]]) -> None:
    pending = dict(zip((s.name for s in specs), zip(specs, procs, strict=True), strict=True))
    began = time.perf_counter()
    with httpx.Client(timeout=1.0, trust_env=False) as client:
        while pending:
            for name, (spec, proc) in list(pending.items()):
                if proc.poll() is not None:
                    raise FloorError(f"floor: {name} exited with code {proc.returncode}")
                with contextlib.suppress(httpx.TransportError):
                    if client.get(spec.url + spec.health_path).status_code == 200:
                        del pending[name]
            if time.perf_counter() - began > START_TIMEOUT_S:
                raise FloorError(f"floor: {sorted(pending)} not ready within {START_TIMEOUT_S}s")
            if pending:
                time.sleep(POLL_S)  # polling a condition with a deadline


class _Work:
    """The nine scenarios' page work and API calls against one started stack."""

    def __init__(
        self,
        browser: Browser,
        frontend: str,
        backend: str,
        stub: str,
        seed: str,
        secrets: StackSecrets,
        token: str,
    ) -> None:
        self.browser = browser
        self.frontend = frontend
        self.seed = seed
        self.secrets = secrets
        self.api = httpx.Client(
            base_url=backend, headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT_S
        )
        self.anonymous = httpx.Client(base_url=backend, timeout=HTTP_TIMEOUT_S)
        self.stub = httpx.Client(base_url=stub, timeout=HTTP_TIMEOUT_S)

    def close(self) -> None:
        for client in (self.api, self.anonymous, self.stub):
            client.close()

    def chain(self, symbol: str, expiration: str | None = None) -> dict:
        params = {"expiration": expiration} if expiration else None
        return self.api.get(f"/api/options/chain/{symbol}", params=params).json()

    def positions(self) -> list[dict]:
        return list(self.api.get("/api/positions").json()["positions"])

    @contextlib.contextmanager
    def page(self, *, signed_in: bool = True) -> Iterator[tuple[BrowserContext, Page]]:
        context = self.browser.new_context(base_url=self.frontend)
        if signed_in:
            context.add_init_script(self.seed)
        try:
            yield context, context.new_page()
        finally:
            context.close()

    def oc01(self) -> None:
        self.chain("SPY")
        with self.page() as (_, page):
            options = OptionsPage(page)
            options.open("SPY")
            options.expirations()
            options.chain.rows()

    def oc02(self) -> None:
        with self.page() as (_, page):
            options = OptionsPage(page)
            options.open("SPY")
            later = options.expirations()[-1]
            self.chain("SPY", later)
            options.choose_expiration(later)
            expect(options.chain.table).to_have_attribute("data-expiration", later)
            options.chain.rows()

    def oc03(self) -> None:
        with self.page() as (_, page):
            options = OptionsPage(page)
            options.open("SPY")
            self.chain("AAPL")
            options.search("aapl")
            expect(page).to_have_url(re.compile(r"/options/AAPL$"))
            options.reload()
            options.go_back()
            expect(options.chain.table).to_have_attribute("data-symbol", "SPY")

    def oc04(self) -> None:
        with self.page() as (_, page):
            options = OptionsPage(page)
            options.open("ZZZZ")
            expect(options.no_options).to_be_visible()

    def oc05(self) -> None:
        self.anonymous.get("/api/options/chain/AAPL")
        with self.page(signed_in=False) as (_, page):
            page.goto(OptionsPage.path_for("AAPL"))
            signin = SignInPage(page)
            expect(signin.heading).to_be_visible()
            creds = self.secrets.credentials
            signin.sign_in(creds.username, creds.password)
            expect(page).to_have_url(re.compile(r"/options/AAPL$"))
            OptionsPage(page).wait_until_loaded()

    def oc06(self) -> None:
        self.stub.post("/__control/reset")
        fault = {"status": 500, "times": -1, "endpoint": None, "delay_ms": 0, "drop": False}
        self.stub.post("/__control/fault", json=fault)
        with self.page() as (_, page):
            options = OptionsPage(page)
            options.open("SPY")
            expect(options.retry_button).to_be_visible()
            self.stub.post("/__control/reset")
            options.retry()
            expect(options.chain.row_locator.first).to_be_visible()
        self.stub.post("/__control/reset")

    def oc07(self) -> None:
        chain = self.chain("SPY")
        with self.page() as (_, page):
            options = OptionsPage(page)
            options.open("SPY")
            expect(options.chain.table).to_have_attribute("data-expiration", chain["expiration"])
            options.chain.rows()

    def oc08(self) -> None:
        chain = self.chain("SPY")
        with self.page() as (_, page):
            options = OptionsPage(page)
            options.open("SPY")
            options.show_strikes("+/-5 strikes")
            expect(options.chain.row_locator).to_have_count(11)
            options.chain.rows()
            options.show_strikes("All")
            expect(options.chain.row_locator).to_have_count(len(chain["strikes"]))

    def oc09(self) -> None:
        self.stub.post("/__control/reset")
        with self.page() as (context, page):
            options = OptionsPage(page)
            options.open("SPY")
            panel = options.positions
            expect(panel.status).to_have_text("Live")
            held = next(p for p in self.positions() if p["underlying"] == "SPY")
            self._move_and_see(panel, held["symbol"], +5.0)
            context.set_offline(True)
            expect(panel.status).to_have_text("Reconnecting")
            context.set_offline(False)
            expect(panel.status).to_have_text("Live")
            self._move_and_see(panel, held["symbol"], -8.0)
        self.stub.post("/__control/reset")

    def _move_and_see(self, panel: PositionsPanel, symbol: str, move: float) -> None:
        self.stub.post("/__control/quote", json={"symbol": "SPY", "move": move})
        mark = next(float(p["mark"]) for p in self.positions() if p["symbol"] == symbol)
        expect(panel.mark_cell(symbol)).to_have_text(f"{mark:.2f}")

    def scenarios(self) -> list[tuple[str, Callable[[], None]]]:
        return [(f"OC-0{n}", getattr(self, f"oc0{n}")) for n in range(1, 10)]


def _timed(parts: dict[str, float], key: str, began: float) -> float:
    now = time.perf_counter()
    parts[key] = round(now - began, 3)
    return now


def measure(executable: str | None = None, log_dir: Path | None = None) -> dict[str, float]:
    """One measurement of the floor (seconds per part, ``OC-xx_s`` per scenario, ``total_s``)."""
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    resolved, secrets = load().on_free_ports()
    specs = list(resolved.specs.values())
    by_name = {spec.name: spec for spec in specs}
    chromium = executable or find_system_chromium()
    launch_args = {"executable_path": chromium} if chromium else {}
    parts: dict[str, float] = {}
    logs = log_dir or Path(subprocess.check_output(["mktemp", "-d"], text=True).strip())
    began = start = time.perf_counter()
    with _servers(specs, logs) as procs:
        _wait_ready(specs, procs)
        mark = _timed(parts, "servers_ready_s", start)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(args=[HOST_RESOLVER_RULE], **launch_args)
            mark = _timed(parts, "browser_launch_s", mark)
            frontend = by_name["frontend"].url
            answer = httpx.post(
                f"{frontend}/api/auth/login",
                json={
                    "username": secrets.credentials.username,
                    "password": secrets.credentials.password,
                },
                timeout=HTTP_TIMEOUT_S,
            ).json()
            expires_at_ms = int((time.time() + float(answer["expires_in"])) * 1000)
            seed = seed_script(
                storage_state_for(
                    frontend, answer["access_token"], secrets.credentials.username, expires_at_ms
                )
            )
            mark = _timed(parts, "sign_in_s", mark)
            work = _Work(
                browser,
                frontend,
                by_name["backend"].url,
                by_name["stub"].url,
                seed,
                secrets,
                str(answer["access_token"]),
            )
            nine = mark
            try:
                for name, scenario in work.scenarios():
                    scenario()
                    mark = _timed(parts, f"{name}_s", mark)
            finally:
                work.close()
            parts["scenarios_s"] = round(mark - nine, 3)
            stop = time.perf_counter()
            browser.close()
    _timed(parts, "stop_s", stop)
    parts["total_s"] = round(time.perf_counter() - began, 3)
    return parts
