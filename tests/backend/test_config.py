"""Unit tests of ``backend.config``: required settings, validation and the one-line error."""

from __future__ import annotations

import pytest

from backend.config import Settings, SettingsError, load_settings

VALID = {
    "TRADIER_BASE_URL": "http://127.0.0.1:9",
    "TRADIER_TOKEN": "tradier-token-value",
    "AUTH_SECRET": "s" * 32,
    "DESK_USERS": "qe:pw-one,trader:pw-two",
}
ALL_KEYS = [
    *VALID,
    "SENTRY_DSN",
    "QE_INSTANCE_ID",
    "AUTH_TOKEN_TTL_S",
    "UPSTREAM_TIMEOUT_S",
    "POSITIONS_HEARTBEAT_S",
]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key in ALL_KEYS:
        monkeypatch.delenv(key, raising=False)
    for key, value in VALID.items():
        monkeypatch.setenv(key, value)
    return monkeypatch


def test_valid_environment_loads_with_defaults(env: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert settings.auth_token_ttl_s == 900
    assert settings.upstream_timeout_s == 3.0
    assert settings.stream_interval_s == 0.25
    assert settings.positions_heartbeat_s == 2.0
    assert settings.sentry_dsn is None
    assert settings.desk_enable_test_routes is False


def test_the_stream_heartbeat_is_configurable(env: pytest.MonkeyPatch) -> None:
    env.setenv("POSITIONS_HEARTBEAT_S", "0.5")

    assert load_settings().positions_heartbeat_s == 0.5


def test_users_are_parsed(env: pytest.MonkeyPatch) -> None:
    users = load_settings().users
    assert {name: pw.get_secret_value() for name, pw in users.items()} == {
        "qe": "pw-one",
        "trader": "pw-two",
    }


def test_secrets_do_not_show_in_repr(env: pytest.MonkeyPatch) -> None:
    shown = repr(load_settings())
    assert "tradier-token-value" not in shown
    assert "s" * 32 not in shown
    assert "pw-one" not in shown


def test_missing_variable_is_named(env: pytest.MonkeyPatch) -> None:
    env.delenv("TRADIER_TOKEN")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert "TRADIER_TOKEN is not set" in str(info.value)


def test_empty_variable_counts_as_missing(env: pytest.MonkeyPatch) -> None:
    env.setenv("TRADIER_BASE_URL", "")
    with pytest.raises(SettingsError, match="TRADIER_BASE_URL is not set"):
        load_settings()


def test_every_missing_variable_is_named_on_one_line(env: pytest.MonkeyPatch) -> None:
    for key in VALID:
        env.delenv(key)
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert "\n" not in message
    assert all(key in message for key in VALID)


def test_short_auth_secret_is_rejected(env: pytest.MonkeyPatch) -> None:
    env.setenv("AUTH_SECRET", "x" * 31)
    with pytest.raises(SettingsError, match="AUTH_SECRET must be at least 32 characters"):
        load_settings()


def test_short_auth_secret_is_not_echoed(env: pytest.MonkeyPatch) -> None:
    env.setenv("AUTH_SECRET", "too-short-secret")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert "too-short-secret" not in str(info.value)


def test_malformed_users_are_rejected_without_echo(env: pytest.MonkeyPatch) -> None:
    env.setenv("DESK_USERS", "qe-without-password")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert "DESK_USERS" in str(info.value)
    assert "qe-without-password" not in str(info.value)


def test_base_url_must_be_http(env: pytest.MonkeyPatch) -> None:
    env.setenv("TRADIER_BASE_URL", "127.0.0.1:8099")
    with pytest.raises(SettingsError, match="TRADIER_BASE_URL must be an http"):
        load_settings()


def test_base_url_trailing_slash_is_dropped(env: pytest.MonkeyPatch) -> None:
    env.setenv("TRADIER_BASE_URL", "http://127.0.0.1:9/")
    assert load_settings().tradier_base_url == "http://127.0.0.1:9"


def test_non_numeric_timeout_is_named(env: pytest.MonkeyPatch) -> None:
    env.setenv("UPSTREAM_TIMEOUT_S", "soon")
    with pytest.raises(SettingsError, match="UPSTREAM_TIMEOUT_S"):
        load_settings()


def test_settings_are_immutable(env: pytest.MonkeyPatch) -> None:
    settings: Settings = load_settings()
    with pytest.raises(ValueError, match="frozen"):
        settings.auth_token_ttl_s = 1  # type: ignore[misc]
