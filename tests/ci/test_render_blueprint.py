"""render.yaml, the Render Blueprint of the reference app, is checked, not only written.

Three layers: its structure against Render's Blueprint spec as documented
(https://render.com/docs/blueprint-spec: the fields, types, runtimes and env-var sources below are
the ones that page lists); everything it names exists here (modules, their options, files, the
backend's settings, the health paths the harness itself proves); and its commands really work:
the pre-deploy check and both servers run as Render would run them (through a shell, with ``PORT``
and the declared environment), with the stub as upstream and the Sentry sink as DSN.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import httpx
import pytest
import yaml
from pydantic import SecretStr

from backend.config import Settings
from fixtures import stackfile
from tests.support.procs import REPO_ROOT, RunningServer, free_port, run_doubles, run_server

BLUEPRINT_PATH = REPO_ROOT / "render.yaml"

# From the Blueprint spec's tables (root-level fields, service fields, env var sources).
ROOT_FIELDS = {"services", "databases", "envVarGroups", "projects", "ungrouped", "previews"}
SERVICE_TYPES = {"web", "pserv", "worker", "cron", "keyvalue", "redis"}
RUNTIMES = {"node", "python", "elixir", "go", "ruby", "rust", "docker", "image", "static"}
SERVICE_FIELDS = {
    "name", "type", "runtime", "env", "plan", "previews", "buildCommand", "startCommand",
    "schedule", "preDeployCommand", "region", "repo", "branch", "autoDeployTrigger", "autoDeploy",
    "domains", "healthCheckPath", "maxShutdownDelaySeconds", "dockerCommand", "dockerfilePath",
    "dockerContext", "registryCredential", "image", "numInstances", "scaling", "buildFilter",
    "rootDir", "disk", "staticPublishPath", "headers", "routes", "ipAllowList",
    "maxmemoryPolicy", "previewPlan", "envVars",
}  # fmt: skip
WEB_ONLY_FIELDS = {"healthCheckPath", "domains"}
PLANS = {"free", "starter", "standard", "pro", "pro plus", "pro max", "pro ultra"}
REGIONS = {"oregon", "ohio", "virginia", "frankfurt", "singapore"}
ENV_SOURCES = {"value", "generateValue", "sync", "fromDatabase", "fromService", "fromGroup"}
FROM_SERVICE_PROPERTIES = {"host", "port", "hostport", "connectionString"}
COMMAND_FIELDS = ("buildCommand", "preDeployCommand", "startCommand")
# Set by Render itself for web services (the port to bind), so not declared in envVars.
RENDER_PROVIDED = {"PORT"}
# Read by Render's Python runtime, not by the app.
RENDER_SETTINGS = {"PYTHON_VERSION"}


def load_blueprint() -> dict[str, Any]:
    return yaml.safe_load(BLUEPRINT_PATH.read_text())  # type: ignore[no-any-return]


BLUEPRINT = load_blueprint()
SERVICES = {service["name"]: service for service in BLUEPRINT["services"]}


def env_vars(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["key"]: entry for entry in service.get("envVars", []) if "key" in entry}


def python_module(command: str) -> tuple[str, list[str]] | None:
    """``python -m MODULE ARGS...`` -> (MODULE, ARGS), else None."""
    words = shlex.split(command)
    if words[:2] == ["python", "-m"] and len(words) > 2:
        return words[2], words[3:]
    return None


def service_running(module: str) -> dict[str, Any]:
    for service in SERVICES.values():
        started = python_module(service["startCommand"])
        if started and started[0] == module:
            return service
    raise AssertionError(f"no service in render.yaml starts `python -m {module}`")


# --- structure, against the documented spec --------------------------------------------------


def test_the_root_holds_only_documented_fields() -> None:
    assert set(BLUEPRINT) <= ROOT_FIELDS
    assert len(SERVICES) == len(BLUEPRINT["services"]), "service names must be unique"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_service_uses_documented_fields_and_values(name: str) -> None:
    service = SERVICES[name]

    assert set(service) <= SERVICE_FIELDS, set(service) - SERVICE_FIELDS
    assert service["type"] in SERVICE_TYPES
    assert service["runtime"] in RUNTIMES
    assert service.get("plan", "starter") in PLANS
    assert service.get("region", "oregon") in REGIONS
    if service["type"] != "web":
        assert not set(service) & WEB_ONLY_FIELDS
    if service["runtime"] not in {"docker", "image"}:
        assert isinstance(service.get("buildCommand"), str), "required for native runtimes"
        assert isinstance(service.get("startCommand"), str), "required for native runtimes"
    if "healthCheckPath" in service:
        assert service["healthCheckPath"].startswith("/")


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_env_var_has_exactly_one_documented_source(name: str) -> None:
    for entry in SERVICES[name].get("envVars", []):
        sources = set(entry) & ENV_SOURCES
        assert len(sources) == 1, f"{entry}: exactly one of {sorted(ENV_SOURCES)}"
        assert set(entry) <= ENV_SOURCES | {"key"}, entry
        assert "key" in entry or "fromGroup" in entry, entry
        if "value" in entry:
            assert isinstance(entry["value"], str), f"{entry['key']}: quote the value"
        if "sync" in entry:
            assert entry["sync"] is False, entry
        if "fromService" in entry:
            ref = entry["fromService"]
            assert len({"property", "envVarKey"} & set(ref)) == 1, ref
            assert ref.get("property", "host") in FROM_SERVICE_PROPERTIES, ref
            assert ref["name"] in SERVICES, f"{ref['name']} is not a service of this Blueprint"
            assert SERVICES[ref["name"]]["type"] == ref["type"], ref


# --- everything it names exists ----------------------------------------------------------------


def module_help(module: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"python -m {module} --help: {result.stderr}"
    return result.stdout


@pytest.mark.parametrize(
    ("name", "field"),
    [(name, field) for name in sorted(SERVICES) for field in COMMAND_FIELDS],
)
def test_every_command_names_what_exists_here(name: str, field: str) -> None:
    command = SERVICES[name].get(field)
    if command is None:
        return
    assert not re.search(r"[;&|<>`]", command), "one plain command per field"
    declared = set(env_vars(SERVICES[name])) | RENDER_PROVIDED
    assert set(re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", command)) <= declared

    words = shlex.split(command)
    if words[:2] == ["pip", "install"]:
        files = [words[i + 1] for i, w in enumerate(words) if w in {"-c", "-r", "-e"}]
        files += [w for w in words[2:] if not w.startswith("-") and w not in files]
        for path in files:
            assert (REPO_ROOT / path).exists(), f"{field} names {path}, which is not in the repo"
        assert (REPO_ROOT / "pyproject.toml").exists()
        return
    module_args = python_module(command)
    assert module_args, f"{field}: expected `python -m MODULE ...` or `pip install ...`"
    module, args = module_args
    package_dir = REPO_ROOT / module.replace(".", "/")
    assert (package_dir / "__main__.py").exists() or package_dir.with_suffix(".py").exists()
    usage = module_help(module)
    for flag in (arg.split("=", 1)[0] for arg in args if arg.startswith("--")):
        assert re.search(rf"(^|\s){re.escape(flag)}\b", usage), f"{module} has no {flag}"


def test_the_backend_runs_its_release_prelaunch_before_each_deploy() -> None:
    backend = service_running("backend")

    assert python_module(backend["preDeployCommand"]) == (
        "backend.prelaunch",
        ["--strict", "--port", "$PORT"],
    )


def test_health_checks_use_the_paths_the_harness_proves() -> None:
    resolved, _ = stackfile.load().on_free_ports()
    for spec in resolved.specs.values():
        module = spec.command[spec.command.index("-m") + 1]
        if spec.under_test:
            assert service_running(module)["healthCheckPath"] == spec.health_path

    assert service_running("backend")["healthCheckPath"] == "/api/health"


def is_secret(field_name: str) -> bool:
    annotation = Settings.model_fields[field_name].annotation
    return annotation is SecretStr or SecretStr in get_args(annotation)


def test_the_backend_declares_every_setting_it_requires_and_no_secret_value() -> None:
    backend = service_running("backend")
    declared = env_vars(backend)
    fields = {name.upper(): name for name in Settings.model_fields}
    required = {up for up, name in fields.items() if Settings.model_fields[name].is_required()}
    if "--strict" in backend["preDeployCommand"]:
        required.add("SENTRY_DSN")  # the release-mode pre-launch check requires it

    assert required <= set(declared), f"not declared: {sorted(required - set(declared))}"
    assert set(declared) <= set(fields) | RENDER_SETTINGS, "a key the backend does not read"
    secrets = {upper for upper, name in fields.items() if is_secret(name)}
    for key in secrets & set(declared):
        assert declared[key] == {"key": key, "sync": False}, f"{key} is a secret: sync: false"


def test_the_python_version_meets_the_projects_floor() -> None:
    floor = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    minimum = tuple(int(p) for p in floor.removeprefix(">=").split("."))
    for service in SERVICES.values():
        version = env_vars(service)["PYTHON_VERSION"]["value"]
        assert tuple(int(p) for p in version.split("."))[: len(minimum)] >= minimum


# --- its commands really work ------------------------------------------------------------------

TEST_SECRETS = {
    "TRADIER_TOKEN": "render-test-tradier-token-5c1d",
    "AUTH_SECRET": "render-test-auth-secret-0123456789abcdef",
    "DESK_USERS": "qa-bot:render-test-password-77",
}


def render_env(service: dict[str, Any], port: int, **values: str) -> dict[str, str]:
    """What Render gives the service: our PATH (so `python`/`pip` are this venv's), ``PORT`` and
    the declared variables, with ``values`` for the ones whose value Render would ask for or
    derive; nothing else inherited, so an undeclared setting cannot make it pass."""
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "PORT": str(port),
    }
    for key, entry in env_vars(service).items():
        if key in values:
            env[key] = values[key]
        elif "value" in entry:
            env[key] = entry["value"]
        else:
            raise AssertionError(f"the test gives no value for {key} ({entry})")
    return env


def local(command: str) -> str:
    # Render binds every interface; this machine's servers stay on loopback.
    return command.replace("--host 0.0.0.0", "--host 127.0.0.1")


def start_service(
    service: dict[str, Any], port: int, env: dict[str, str], log_dir: Path
) -> contextlib.AbstractContextManager[RunningServer]:
    """The service's startCommand through a shell, ready once its healthCheckPath answers."""
    return run_server(
        [local(service["startCommand"])],
        launcher=("bash", "-c"),
        port=port,
        health_path=service["healthCheckPath"],
        log_path=log_dir / f"{service['name']}.log",
        env=env,
        timeout=30,
    )


@pytest.fixture(scope="module")
def doubles(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The Tradier stub (as the upstream) and the Sentry sink (as the DSN)."""
    logs = tmp_path_factory.mktemp("render-logs")
    with run_doubles(logs, TEST_SECRETS["TRADIER_TOKEN"]) as (stub, sink):
        yield {
            **TEST_SECRETS,
            # The declared value is Tradier's sandbox; only the package registries are reachable.
            "TRADIER_BASE_URL": stub.url,
            "SENTRY_DSN": f"http://{'e' * 32}@127.0.0.1:{sink.port}/1",
        }


def test_the_blueprint_deploys_the_app_as_render_would(
    doubles: dict[str, str], tmp_path: Path
) -> None:
    backend, frontend = service_running("backend"), service_running("frontend")
    backend_port, frontend_port = free_port(), free_port()
    backend_env = render_env(backend, backend_port, **doubles)

    predeploy = subprocess.run(
        ["bash", "-c", backend["preDeployCommand"]],
        cwd=REPO_ROOT,
        env=backend_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert predeploy.returncode == 0, predeploy.stdout + predeploy.stderr
    assert "prelaunch: all checks passed" in predeploy.stdout

    frontend_env = render_env(frontend, frontend_port, BACKEND_HOSTPORT=f"127.0.0.1:{backend_port}")
    with (
        start_service(backend, backend_port, backend_env, tmp_path),
        start_service(frontend, frontend_port, frontend_env, tmp_path) as site,
    ):
        # Through the frontend's proxy: the private-network wiring reaches the backend.
        health = httpx.get(f"{site.url}/api/health", timeout=10)
        login = httpx.post(
            f"{site.url}/api/auth/login",
            json={"username": "qa-bot", "password": "render-test-password-77"},
            timeout=10,
        )

    assert health.status_code == 200, health.text
    assert login.status_code == 200, login.text


def test_the_prelaunch_stops_a_deploy_without_sentry(doubles: dict[str, str]) -> None:
    """The pre-deploy gate can fail: release mode without SENTRY_DSN exits non-zero."""
    backend = service_running("backend")
    env = render_env(backend, free_port(), **doubles)
    del env["SENTRY_DSN"]

    predeploy = subprocess.run(
        ["bash", "-c", backend["preDeployCommand"]],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert predeploy.returncode == 1
    assert "FAIL sentry" in predeploy.stdout
