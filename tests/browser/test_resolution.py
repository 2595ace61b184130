"""Unit tests of the browser resolution order (fixtures/browser_choice.py), with fake paths."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from fixtures.browser_choice import (
    WS_ENDPOINT_ENV,
    BrowserConfigError,
    BrowserSettings,
    find_system_chromium,
    resolve_browser,
    video_recorder_available,
)


def fake_binary(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def no_system() -> str | None:
    return None


def test_explicit_executable_wins_over_everything(tmp_path: Path) -> None:
    explicit = fake_binary(tmp_path / "mine" / "chrome")
    settings = BrowserSettings(executable=explicit, ws_endpoint="ws://127.0.0.1:1/x")
    choice = resolve_browser(
        settings,
        playwright_executable=fake_binary(tmp_path / "pw" / "chrome"),
        system_chromium=lambda: fake_binary(tmp_path / "usr" / "chromium"),
    )
    assert choice is not None
    assert (choice.kind, choice.executable_path) == ("executable", explicit)


def test_explicit_executable_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    settings = BrowserSettings(executable=str(tmp_path / "missing"))
    with pytest.raises(BrowserConfigError, match="--browser-executable"):
        resolve_browser(settings, playwright_executable=None, system_chromium=no_system)


def test_ws_endpoint_wins_over_local_installs(tmp_path: Path) -> None:
    settings = BrowserSettings(ws_endpoint="ws://127.0.0.1:9/pw")
    choice = resolve_browser(
        settings,
        playwright_executable=fake_binary(tmp_path / "pw" / "chrome"),
        system_chromium=lambda: fake_binary(tmp_path / "usr" / "chromium"),
    )
    assert choice is not None
    assert (choice.kind, choice.endpoint, choice.executable_path) == (
        "ws",
        "ws://127.0.0.1:9/pw",
        None,
    )


def test_cdp_endpoint_is_used_when_configured() -> None:
    settings = BrowserSettings(cdp_endpoint="http://127.0.0.1:9222")
    choice = resolve_browser(settings, playwright_executable=None, system_chromium=no_system)
    assert choice is not None
    assert (choice.kind, choice.endpoint) == ("cdp", "http://127.0.0.1:9222")


def test_two_endpoints_at_once_are_an_error() -> None:
    settings = BrowserSettings(ws_endpoint="ws://a/b", cdp_endpoint="http://c:1")
    with pytest.raises(BrowserConfigError, match="not both"):
        resolve_browser(settings, playwright_executable=None, system_chromium=no_system)


def test_endpoint_comes_from_the_environment_when_no_option() -> None:
    settings = BrowserSettings.from_options(
        executable=None,
        ws_endpoint=None,
        cdp_endpoint=None,
        channel=None,
        environ={WS_ENDPOINT_ENV: "ws://127.0.0.1:5/env"},
    )
    assert settings.ws_endpoint == "ws://127.0.0.1:5/env"


def test_option_beats_the_environment() -> None:
    settings = BrowserSettings.from_options(
        executable=None,
        ws_endpoint="ws://127.0.0.1:6/cli",
        cdp_endpoint=None,
        channel=None,
        environ={WS_ENDPOINT_ENV: "ws://127.0.0.1:5/env"},
    )
    assert settings.ws_endpoint == "ws://127.0.0.1:6/cli"


def test_channel_means_no_executable_path(tmp_path: Path) -> None:
    choice = resolve_browser(
        BrowserSettings(channel="chrome"),
        playwright_executable=None,
        system_chromium=lambda: fake_binary(tmp_path / "usr" / "chromium"),
    )
    assert choice is not None
    assert (choice.kind, choice.channel, choice.executable_path) == ("channel", "chrome", None)


def test_playwrights_own_chromium_comes_before_the_system_one(tmp_path: Path) -> None:
    own = fake_binary(tmp_path / "ms-playwright" / "chromium-1" / "chrome")
    choice = resolve_browser(
        BrowserSettings(),
        playwright_executable=own,
        system_chromium=lambda: fake_binary(tmp_path / "usr" / "chromium"),
    )
    assert choice is not None
    assert (choice.kind, choice.executable_path) == ("playwright", own)


def test_playwrights_path_that_does_not_exist_falls_back_to_the_system(tmp_path: Path) -> None:
    system = fake_binary(tmp_path / "usr" / "chromium")
    choice = resolve_browser(
        BrowserSettings(),
        playwright_executable=str(tmp_path / "ms-playwright" / "not-installed" / "chrome"),
        system_chromium=lambda: system,
    )
    assert choice is not None
    assert (choice.kind, choice.executable_path) == ("system", system)


def test_nothing_found_is_none(tmp_path: Path) -> None:
    choice = resolve_browser(
        BrowserSettings(),
        playwright_executable=str(tmp_path / "missing"),
        system_chromium=no_system,
    )
    assert choice is None


def test_system_lookup_tries_names_on_path_in_order() -> None:
    on_path = {"google-chrome": "/fake/bin/google-chrome", "chromium-browser": "/fake/bin/cb"}
    found = find_system_chromium(which=on_path.get, paths=())
    assert found == "/fake/bin/cb"


def test_system_lookup_falls_back_to_usual_install_paths(tmp_path: Path) -> None:
    not_executable = tmp_path / "snap" / "chromium"
    not_executable.parent.mkdir()
    not_executable.write_text("")
    chrome = fake_binary(tmp_path / "opt" / "chrome")
    found = find_system_chromium(which=lambda name: None, paths=(str(not_executable), chrome))
    assert found == chrome


def test_video_recorder_missing_when_playwrights_ffmpeg_is_absent(tmp_path: Path) -> None:
    assert video_recorder_available({"PLAYWRIGHT_BROWSERS_PATH": str(tmp_path)}) is False
