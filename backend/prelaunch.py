"""``python -m backend.prelaunch [--strict] [--port P]``: can the backend start here, now?

Checks, one line each (``ok   name: detail`` / ``FAIL name: detail``): settings, Python version,
critical imports, the port being free (naming its holder), the upstream answering our token;
``--strict`` (release) also requires ``SENTRY_DSN``. Exit 0 when all pass, 1 otherwise.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from backend.config import Settings, SettingsError, load_settings

CRITICAL_MODULES = ("fastapi", "uvicorn", "jwt", "httpx", "sse_starlette", "pydantic_settings")
MIN_PYTHON = (3, 11)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


def check_python(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> Check:
    shown = ".".join(str(p) for p in version)
    if version[:2] >= MIN_PYTHON:
        return Check("python", True, shown)
    need = ".".join(str(p) for p in MIN_PYTHON)
    return Check("python", False, f"{shown} is too old; need >= {need}")


def check_imports(modules: tuple[str, ...] = CRITICAL_MODULES) -> Check:
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        return Check("imports", False, f"cannot import {', '.join(missing)} (run `make setup`)")
    return Check("imports", True, ", ".join(modules))


def describe_holder(port: int) -> str:
    """Who LISTENs on ``port``: PIDs and command lines, as far as the OS tells us."""
    import psutil

    holders = []
    try:
        connections = psutil.net_connections(kind="inet")
    except psutil.AccessDenied:
        return "holder unknown (not allowed to list connections)"
    for conn in connections:
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
            if conn.pid is None:
                holders.append("pid unknown")
                continue
            try:
                cmdline = " ".join(psutil.Process(conn.pid).cmdline())
            except psutil.Error:
                cmdline = "?"
            holders.append(f"pid {conn.pid} ({cmdline})")
    return "; ".join(sorted(set(holders))) or "holder unknown"


def check_port(port: int, host: str = "127.0.0.1") -> Check:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                return Check("port", False, f"{host}:{port} cannot be bound: {exc.strerror}")
            held_by = describe_holder(port)
            return Check("port", False, f"{host}:{port} is in use by {held_by}")
    return Check("port", True, f"{host}:{port} is free")


def check_upstream(settings: Settings, timeout: float = 3.0) -> Check:
    url = settings.tradier_base_url + "/v1/markets/quotes"
    headers = {
        "Authorization": f"Bearer {settings.tradier_token.get_secret_value()}",
        "Accept": "application/json",
    }
    try:
        response = httpx.get(url, params={"symbols": "SPY"}, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        return Check(
            "upstream",
            False,
            f"{settings.tradier_base_url} unreachable ({type(exc).__name__})",
        )
    if response.status_code in (401, 403):
        return Check(
            "upstream",
            False,
            f"{settings.tradier_base_url} rejects TRADIER_TOKEN ({response.status_code})",
        )
    return Check("upstream", True, f"{settings.tradier_base_url} answers {response.status_code}")


def run_checks(
    strict: bool, port: int, load: Callable[[], Settings] = load_settings
) -> list[Check]:
    checks = [check_python(), check_imports()]
    settings: Settings | None = None
    try:
        settings = load()
        checks.append(Check("settings", True, "required variables set"))
    except SettingsError as exc:
        checks.append(Check("settings", False, str(exc)))
    if strict:
        has_dsn = settings is not None and settings.sentry_dsn is not None
        checks.append(
            Check("sentry", True, "SENTRY_DSN set")
            if has_dsn
            else Check("sentry", False, "SENTRY_DSN is not set (required with --strict)")
        )
    checks.append(check_port(port))
    if settings is None:
        checks.append(Check("upstream", False, "not checked: settings are invalid"))
    else:
        checks.append(check_upstream(settings))
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.prelaunch", description=__doc__)
    parser.add_argument("--strict", action="store_true", help="release mode: require SENTRY_DSN")
    parser.add_argument("--port", type=int, default=8001, help="port the backend will listen on")
    args = parser.parse_args(argv)
    checks = run_checks(args.strict, args.port)
    for check in checks:
        print(check.line())
    failed = [c.name for c in checks if not c.ok]
    if failed:
        print(f"prelaunch: {len(failed)} check(s) failed: {', '.join(failed)}")
        return 1
    print("prelaunch: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
