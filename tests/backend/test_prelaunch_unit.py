"""Unit tests of ``backend.prelaunch`` checks that need no server."""

from __future__ import annotations

import os
import socket

from backend.config import SettingsError
from backend.prelaunch import check_imports, check_port, check_python, run_checks


def test_current_python_passes() -> None:
    assert check_python().ok


def test_old_python_fails_with_the_minimum() -> None:
    check = check_python((3, 10, 4))
    assert not check.ok
    assert ">= 3.11" in check.detail


def test_missing_module_is_named() -> None:
    check = check_imports(("json", "no_such_module_qe"))
    assert not check.ok
    assert "no_such_module_qe" in check.detail


def test_free_port_passes() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert check_port(port).ok


def test_held_port_names_the_holder_pid() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        check = check_port(holder.getsockname()[1])
    assert not check.ok
    assert f"pid {os.getpid()}" in check.detail


def test_check_line_format() -> None:
    assert check_python((3, 12, 0)).line() == "ok   python: 3.12.0"
    assert check_python((3, 9, 0)).line().startswith("FAIL python: ")


def _no_settings() -> object:
    raise SettingsError("invalid configuration: TRADIER_TOKEN is not set")


def test_invalid_settings_fail_and_skip_upstream() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    checks = {c.name: c for c in run_checks(False, port, load=_no_settings)}  # type: ignore[arg-type]
    assert not checks["settings"].ok
    assert "TRADIER_TOKEN" in checks["settings"].detail
    assert not checks["upstream"].ok


def test_strict_without_settings_fails_sentry() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    checks = {c.name: c for c in run_checks(True, port, load=_no_settings)}  # type: ignore[arg-type]
    assert not checks["sentry"].ok
