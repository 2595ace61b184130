"""Where the acceptance suite's fixtures, clients and page objects meet.

Servers, ports, the browser and the signed-in storage state come from the harness plugins in
``fixtures/`` (registered by the root conftest). This file adds the API clients, the stub's control
API, the reruns policy and server-side correlation: a scenario during which the backend answered an
unexpected 5xx or logged a traceback fails with the log excerpt, even if the page looked fine.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from playwright.sync_api import Page

from acceptance import a11y, oracle, page_timing, stack_checks
from acceptance.audit import RunAudit, verdict
from acceptance.clients import TIMEOUT_S, DeskApi, Hooks, SentrySink, StubControl, tls
from acceptance.server_errors import unexpected
from acceptance.stack_checks import UPSTREAM_FAULT_STATUSES
from fixtures.hookspecs import StackFacts
from fixtures.serverlog import REQUEST, LogEvent, LogWatch
from fixtures.servers import StopReport, same_process_alive
from fixtures.session import DeskSession, SignInError
from reports import modes, runinfo
from reports.leaks import env_secrets
from reports.plugin import run_mode
from reports.runinfo import record_check, register_secret

# The seed's policy: a browser scenario gets three more attempts; API and environment checks none,
# because they are deterministic and a retry would only hide a real fault.
SCENARIO_RERUNS = 3
LOG_EXCERPT_LINES = 20
# Under pytest-xdist every worker talks to the one stub the controller started. A fault or a
# quote move is stub-wide (the control API scopes faults by endpoint at most), so a test that
# injects one and a test that reads market data must never run at the same time on two workers.
# All of them share this xdist group (one worker, in order; `--dist loadgroup`, the harness's
# default with -n); the others (auth refusals, proxy allowlist, environment) spread freely.
MARKET_DATA_GROUP = "market-data"
# Fixtures through which a test reads or changes market data; a test that reaches market data
# otherwise carries the group's marker itself.
MARKET_DATA_FIXTURES = frozenset(
    {"stub_control", "desk_api", "market_oracle", "page", "context", "new_context", "options_page"}
)
# Tests that assert on what the servers logged during them join the group too: the log is shared,
# and another worker's requests would land in their window.
SERVER_LOG_FIXTURES = frozenset({"backend_log", "server_logs"})
# What the group's fault tests make the backend answer (UPSTREAM_FAULT_STATUSES). Under xdist a
# test outside the group may find such lines in its correlation window; they are the group's (that
# test never asks for market data, and asserts its own answers itself), so they are not held
# against it.
MARKET_DATA_PATHS = ("/api/options/", "/api/positions")
# The seed of the modes whose fuzzing is a regression gate (reports/modes.py: ci): the same every
# run, so a fuzz finding is a change in the app, not luck. The others draw a fresh one to explore;
# every run records the one it used.
FUZZ_FIXED_SEED = 20261129


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("qe", "QE acceptance harness")
    group.addoption(
        "--fuzz-seed",
        type=int,
        default=None,
        help=f"API-10's fuzzing seed, to replay a failure (default: {FUZZ_FIXED_SEED} in "
        + ", ".join(m.name for m in modes.MODES.values() if m.fixed_fuzz_seed)
        + " mode, a fresh one per run in the others)",
    )
    group.addoption(
        "--fuzz-cases",
        type=int,
        default=None,
        help="API-10's generated cases per operation and mode (default by run mode: "
        + ", ".join(f"{mode.name} {mode.fuzz_cases}" for mode in modes.MODES.values())
        + ")",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # tryfirst: xdist's worker names loadgroup groups from these markers in its own hook.
    # A marker would beat pytest-rerunfailures' --reruns; the user's --reruns N must win.
    reruns_chosen = config.getoption("reruns", default=None) is not None
    for item in items:
        browser = item.get_closest_marker("browser")
        if browser and not reruns_chosen and not item.get_closest_marker("flaky"):
            item.add_marker(pytest.mark.flaky(reruns=SCENARIO_RERUNS))
        if _touches_market_data(item) and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(MARKET_DATA_GROUP))


def _touches_market_data(item: pytest.Item) -> bool:
    """Whether the test changes or reads the shared stub's market data (see MARKET_DATA_GROUP)."""
    names = set(getattr(item, "fixturenames", ()))
    return bool(
        item.get_closest_marker("needs_stub_control")
        or item.get_closest_marker("browser")
        or names & (MARKET_DATA_FIXTURES | SERVER_LOG_FIXTURES)
    )


def _outside_the_group_under_xdist(item: pytest.Item) -> bool:
    return hasattr(item.config, "workerinput") and not item.get_closest_marker("xdist_group")


def _group_fault_line(event: LogEvent) -> bool:
    """A market-data answer with a fault status, as the group's fault tests cause them."""
    return (
        event.kind == REQUEST
        and event.status in UPSTREAM_FAULT_STATUSES
        and str(event.path or "").startswith(MARKET_DATA_PATHS)
    )


# The health answers whose instance_id must not change during the run (DEP-02).
IDENTITY_ITEM = "DEP-02"


def _healths(client: httpx.Client, api_url: str, base_url: str) -> dict[str, dict[str, Any]]:
    """The backend's and the frontend's health answers now ({}: no JSON answer)."""
    found: dict[str, dict[str, Any]] = {}
    for name, url in (("backend", f"{api_url}/api/health"), ("frontend", f"{base_url}/healthz")):
        try:
            answer = client.get(url)
            body = answer.json() if answer.status_code == 200 else {}
        except (httpx.HTTPError, ValueError):
            body = {}
        found[name] = body if isinstance(body, dict) else {}
    return found


@pytest.fixture(scope="session", autouse=True)
def _health_identity_across_the_run(
    pytestconfig: pytest.Config,
    api_url: str,
    base_url: str,
    polite_hooks: Hooks,
    qe_environment: Any,
) -> Iterator[None]:
    """DEP-02: the instances answering at the end are the ones that answered at the start; a
    restart or deploy in between means the run's evidence spans two builds. A server the harness
    started and proves by its process tree (no instance-id echo: its workers may each name
    themselves) is the same instance when the process it started is still the same process."""
    by_tree = {
        name: server
        for name, server in qe_environment.servers.items()
        if name in ("backend", "frontend") and server.identity == "process-tree"
    }
    with httpx.Client(timeout=TIMEOUT_S, verify=tls(), event_hooks=polite_hooks) as client:
        healths = _healths(client, api_url, base_url)
    start = {
        name: None if name in by_tree else health.get("instance_id")
        for name, health in healths.items()
    }
    known = runinfo.facts(pytestconfig)
    for name, health in healths.items():
        # A bundled run recorded its servers already; a target's identity is only known here.
        for key in ("version", "instance_id"):
            if health.get(key) and f"{name}_{key}" not in known:
                runinfo.record_fact(pytestconfig, f"{name}_{key}", health[key])
    yield
    with httpx.Client(timeout=TIMEOUT_S, verify=tls(), event_hooks=polite_hooks) as client:
        end = {n: h.get("instance_id") for n, h in _healths(client, api_url, base_url).items()}
    problems = [
        f"{name}: the process the harness started (pid {server.pid}) is gone"
        for name, server in by_tree.items()
        if not same_process_alive(server.pid, server.create_time)
    ]
    if start["backend"] is None and "backend" not in by_tree:
        problems.append(f"the backend's health ({api_url}/api/health) named no instance_id")
    for name, before in start.items():
        if before is not None and end[name] != before:
            after = end[name] or "no answer"
            problems.append(
                f"{name} instance_id changed during the run: {before} at start, {after} at the "
                "end (a restart or deploy: the evidence spans two instances)"
            )
    checked = ", ".join(
        [f"{name} {value}" for name, value in start.items() if value]
        + [f"{name} process tree of pid {server.pid}" for name, server in by_tree.items()]
    )
    runinfo.record_check(
        pytestconfig, IDENTITY_ITEM, not problems, "; ".join(problems) or f"stable: {checked}"
    )


@pytest.fixture(scope="session")
def remember_secret(pytestconfig: pytest.Config) -> Callable[[str], str]:
    """Call it on every token a test obtains: outputs are then redacted of it (returns it)."""

    def remember(value: str) -> str:
        register_secret(pytestconfig, value)
        return value

    return remember


@pytest.fixture(scope="session")
def api_session(
    api_url: str,
    desk_credentials: Any,
    polite_hooks: Hooks,
    remember_secret: Callable[[str], str],
) -> DeskSession:
    """The test user's API session: one sign-in, renewed when its token nears expiry."""
    return DeskSession(
        api_url,
        desk_credentials.username,
        desk_credentials.password,
        event_hooks=polite_hooks,
        on_token=remember_secret,
    )


@dataclass(frozen=True)
class FuzzPlan:
    seed: int
    cases_per_operation: int
    run_mode: str


@pytest.fixture(scope="session")
def fuzz_plan(pytestconfig: pytest.Config) -> FuzzPlan:
    """API-10's seed and case count: from --fuzz-seed/--fuzz-cases, else by run mode."""
    mode = run_mode(pytestconfig)
    seed = pytestconfig.getoption("fuzz_seed")
    if seed is None:
        seed = FUZZ_FIXED_SEED if mode.fixed_fuzz_seed else secrets.randbelow(2**32)
    cases = pytestconfig.getoption("fuzz_cases") or mode.fuzz_cases
    return FuzzPlan(seed, cases, mode.name)


@pytest.fixture
def desk_token(api_session: DeskSession) -> str:
    """A bearer token for the test user, asked for per test: tokens are short-lived (15 min for
    the bundled backend) and a run may last longer, so one near expiry is renewed first."""
    try:
        return api_session.token()
    except SignInError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def http(polite_hooks: Hooks) -> Iterator[httpx.Client]:
    """A plain HTTP client, for requests the typed clients deliberately do not make."""
    with httpx.Client(timeout=TIMEOUT_S, verify=tls(), event_hooks=polite_hooks) as client:
        yield client


@pytest.fixture
def desk_api(api_url: str, desk_token: str, polite_hooks: Hooks) -> Iterator[DeskApi]:
    """The backend API as the signed-in test user."""
    client = DeskApi(api_url, desk_token, polite_hooks)
    yield client
    client.close()


@dataclass
class MarketOracle:
    """What the app must show, from the contract's rules (acceptance/oracle.py) applied to the
    quotes and greeks the stub served. In target mode no upstream can be read: the API's own
    answers stand in (a weaker check, stated by ``independent``)."""

    api: DeskApi
    stub: StubControl | None

    @property
    def independent(self) -> bool:
        return self.stub is not None

    def chain(self, symbol: str, expiration: str | None = None) -> dict[str, Any]:
        """The chain document the API must answer and the page must show."""
        if self.stub is None:
            return self.api.chain(symbol, expiration)
        return oracle.expected_chain(self.stub.market(symbol, expiration))

    def positions(self) -> list[dict[str, Any]]:
        """The signed-in user's positions, each marked and valued by the rules."""
        positions = self.api.positions()["positions"]
        if self.stub is None:
            return list(positions)
        expected = []
        for position in positions:
            served = self.stub.market(position["underlying"], position["expiration"])
            option = next(o for o in served["options"] if o["symbol"] == position["symbol"])
            expected.append({**position, **oracle.expected_position(position, option)})
        return expected


@pytest.fixture
def market_oracle(desk_api: DeskApi, stub_server: Any) -> Iterator[MarketOracle]:
    """The independent oracle (see ``MarketOracle``); reads the stub, never changes it."""
    stub = StubControl(stub_server.url) if stub_server is not None else None
    yield MarketOracle(desk_api, stub)
    if stub is not None:
        stub.close()


@pytest.fixture
def anonymous_api(api_url: str, polite_hooks: Hooks) -> Iterator[DeskApi]:
    """The backend API without a token."""
    client = DeskApi(api_url, event_hooks=polite_hooks)
    yield client
    client.close()


@pytest.fixture
def expired_token(
    desk_credentials: Any, auth_secret: str | None, remember_secret: Callable[[str], str]
) -> str:
    """A correctly signed token that expired a minute ago (needs the backend's signing secret)."""
    if auth_secret is None:
        pytest.skip("the backend's AUTH_SECRET is not known in target mode (set QE_AUTH_SECRET)")
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": desk_credentials.username, "iat": now - dt.timedelta(minutes=16)}
    token = jwt.encode({**claims, "exp": now - dt.timedelta(minutes=1)}, auth_secret, "HS256")
    return remember_secret(token)


@pytest.fixture
def stub_control(
    stub_server: Any, quiet_doubles: None, run_audit: RunAudit
) -> Iterator[StubControl]:
    """The stub's control API; faults and quote moves are cleared after the test.

    Only once the harness's background checks are done with the stub (``quiet_doubles``): a fault
    injected here must reach this test's requests, not a pre-launch check's.
    """
    if stub_server is None:
        pytest.skip("needs the Tradier stub's control API, which target mode does not have")
    control = StubControl(stub_server.url, on_reset=run_audit.upstream_requests.extend)
    control.reset()
    yield control
    control.reset()
    control.close()


@pytest.fixture
def sentry_sink(sentry_server: Any) -> Iterator[SentrySink]:
    """The Sentry sink the backend reports to, emptied before the test."""
    if sentry_server is None:
        pytest.skip("needs the local Sentry sink, which target mode does not have")
    sink = SentrySink(sentry_server.url)
    sink.reset()
    yield sink
    sink.close()


@pytest.fixture
def backend_log(backend_server: Any) -> LogWatch:
    """The backend's log from the start of this test on."""
    if backend_server is None:
        pytest.skip("the backend's log is not readable in target mode")
    return backend_server.log_watch()


@pytest.fixture
def server_logs(backend_server: Any, frontend_server: Any) -> list[LogWatch]:
    """Backend and frontend logs from the start of this test on."""
    servers = [server for server in (backend_server, frontend_server) if server is not None]
    if not servers:
        pytest.skip("server logs are not readable in target mode")
    return [server.log_watch() for server in servers]


@dataclass(frozen=True)
class SeenResponse:
    status: int
    url: str


@pytest.fixture
def server_responses(page: Page) -> list[SeenResponse]:
    """Every HTTP answer the test's page receives, in order (filled in as the test runs)."""
    seen: list[SeenResponse] = []
    page.on("response", lambda response: seen.append(SeenResponse(response.status, response.url)))
    return seen


@pytest.fixture(scope="session")
def page_timing_figures(pytestconfig: pytest.Config) -> Iterator[dict[str, dict[str, float]]]:
    """Every scenario's page timings (its last attempt's); judged against PERF-01's budgets when
    the run ends."""
    figures: dict[str, dict[str, float]] = {}
    yield figures
    over = page_timing.overruns(figures, page_timing.budgets())
    measured = [
        f"{where} {name} {ms:.0f} ms" for where, m in figures.items() for name, ms in m.items()
    ]
    if over:
        detail = "over budget: " + "; ".join(map(str, over))
    elif measured:
        detail = "within budget: " + ", ".join(measured)
    else:
        detail = "no page timing was measured (every scenario failed before its page loaded)"
    # Page timings stretch with the machine's load: say what it was, so a reader can tell.
    detail += f" (1-minute load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    record_check(pytestconfig, page_timing.ITEM, bool(measured) and not over, detail)


@pytest.fixture
def page_timer(
    page: Page, request: pytest.FixtureRequest, page_timing_figures: dict[str, dict[str, float]]
) -> page_timing.PageTimer:
    """The test's page, probed from its next navigation on; figures filed under its item id."""
    page.context.add_init_script(page_timing.PROBE)
    marker = request.node.get_closest_marker("checklist")
    where = marker.args[0] if marker and marker.args else request.node.name
    figures: dict[str, float] = {}
    page_timing_figures[where] = figures  # a rerun's figures replace the failed attempt's
    return page_timing.PageTimer(page, request.node, figures)


@pytest.fixture(scope="session")
def a11y_scans(pytestconfig: pytest.Config) -> Iterator[dict[str, a11y.Scan]]:
    """Each scanned page's axe-core findings (its last scan's); judged when the run ends."""
    scans: dict[str, a11y.Scan] = {}
    yield scans
    passed, detail = a11y.judge(scans)
    record_check(pytestconfig, a11y.ITEM, passed, detail)


@pytest.fixture
def scan_accessibility(page: Page, a11y_scans: dict[str, a11y.Scan]) -> Callable[[str], a11y.Scan]:
    """Scan the test's page as it is now under a page name of ``a11y.PAGES`` (A11Y-01); a
    rerun's scan replaces the failed attempt's."""

    def _scan(name: str) -> a11y.Scan:
        a11y_scans[name] = a11y.scan(page, name)
        return a11y_scans[name]

    return _scan


@pytest.fixture(autouse=True)
def _skip_without_stub_control(
    request: pytest.FixtureRequest, stub_server: Any, backend_server: Any
) -> None:
    # Requesting backend_server here also puts every test under server-side correlation.
    if request.node.get_closest_marker("needs_stub_control") and stub_server is None:
        pytest.skip(
            "needs the Tradier stub (its data and control API); not available in target mode"
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail a test during which the backend answered an unexpected 5xx or logged a traceback."""
    backend = _started_backend(item)
    watch = backend.log_watch() if backend is not None else None
    result = yield
    if watch is not None:
        marker = item.get_closest_marker("expect_server_status")
        allowed = frozenset(marker.args) if marker else frozenset()
        errors = unexpected(watch.events(), allowed)
        if _outside_the_group_under_xdist(item):
            errors = [event for event in errors if not _group_fault_line(event)]
        if errors:
            excerpt = "\n".join(event.describe() for event in errors[-LOG_EXCERPT_LINES:])
            raise AssertionError(
                f"the backend failed on the server side during this test "
                f"({len(errors)} line(s) in {backend.log_path}):\n{excerpt}"
            )
    return result


def _started_backend(item: pytest.Item) -> Any:
    """The backend this run started, if the test uses the stack; None in target mode."""
    if not isinstance(item, pytest.Function) or "backend_server" not in item.fixturenames:
        return None
    return item.funcargs.get("backend_server")


audit_key = pytest.StashKey[RunAudit]()


@pytest.fixture(scope="session")
def run_audit(pytestconfig: pytest.Config) -> RunAudit:
    """What the run sent and logged, audited for secrets at its end (API-08; see audit.py)."""
    return pytestconfig.stash.setdefault(audit_key, RunAudit())


@pytest.fixture(scope="session", autouse=True)
def _audit_servers(qe_environment: Any, stub_server: Any, run_audit: RunAudit) -> Iterator[None]:
    # Every server's whole log; and, before the stub stops (this teardown runs before
    # stub_server's), what it received since the last reset.
    run_audit.log_files.update(Path(s.log_path) for s in qe_environment.servers.values())
    yield
    run_audit.freeze_logs()
    if stub_server is not None:
        control = StubControl(stub_server.url, on_reset=run_audit.upstream_requests.extend)
        with contextlib.suppress(httpx.HTTPError):
            control.reset()
        control.close()


# ENV-03: the servers under test logged no server error in the whole run.
SERVER_ERRORS_ITEM = "ENV-03"


@pytest.fixture(scope="session", autouse=True)
def _no_server_errors_in_the_run(
    pytestconfig: pytest.Config, qe_environment: Any
) -> Iterator[None]:
    """ENV-03, judged on every under-test server's whole log (each read in its own format) once
    the last test is done and before the servers stop, so shutdown noise is not held against the
    app. An upstream fault's 502/504 passes here: whether it was expected is judged per test by
    the server-side correlation."""
    watches = {
        name: LogWatch(server.log_path, offset=0, log_format=server.log_format)
        for name, server in qe_environment.servers.items()
        if server.under_test
    }
    yield
    if not watches:
        return
    found = {
        name: bad
        for name, watch in watches.items()
        if (bad := unexpected(watch.events(), UPSTREAM_FAULT_STATUSES))
    }
    detail = "\n".join(
        f"{name}: {len(bad)} event(s), e.g. {bad[0].describe()}" for name, bad in found.items()
    )
    clean = "no unexpected 5xx answer or traceback in the logs of " + ", ".join(sorted(watches))
    record_check(pytestconfig, SERVER_ERRORS_ITEM, not found, detail or clean)


@pytest.fixture
def new_context(new_context: Any, run_audit: RunAudit, request: pytest.FixtureRequest) -> Any:
    """The browser layer's ``new_context``, every request of every context recorded for API-08."""
    test = request.node.nodeid

    def _recorded(**kwargs: Any) -> Any:
        context = new_context(**kwargs)
        context.on("request", lambda r: run_audit.browser_requests.append((test, r.url)))
        return context

    return _recorded


def pytest_qe_stack_stopping(config: pytest.Config, facts: StackFacts) -> None:
    """ENV-05 from the servers' own pre-launch checks (acceptance/stack_checks.py)."""
    stack_checks.judge_preflights(config, facts)


def pytest_qe_stack_stopped(config: pytest.Config, report: StopReport) -> None:
    """ENV-04 from what teardown left behind (acceptance/stack_checks.py)."""
    stack_checks.judge_teardown(config, report)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """API-08 over the whole run: a harness check of its own (``harness::API-08``)."""
    audit = session.config.stash.get(audit_key, None)
    if audit is None or not audit.used:
        return
    findings = audit.findings(runinfo.secrets(session.config) | env_secrets())
    detail = verdict(findings) if findings else f"clean: {audit.summary()}"
    runinfo.record_check(session.config, "API-08", not findings, detail)
