"""Settings: the one typed configuration object, read from the environment (CONTRACTS.md §3)."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_USER_RE = re.compile(r"^[A-Za-z0-9_.@-]+$")


class Settings(BaseSettings):
    """Everything the backend reads from its environment; secrets stay ``SecretStr``."""

    # Empty variables count as unset, so `TRADIER_TOKEN=` is reported as missing.
    model_config = SettingsConfigDict(env_ignore_empty=True, extra="ignore", frozen=True)

    tradier_base_url: str
    tradier_token: SecretStr
    auth_secret: SecretStr
    desk_users: SecretStr
    sentry_dsn: SecretStr | None = None
    qe_instance_id: str | None = None
    desk_positions_file: Path = Path(__file__).resolve().parent / "positions.json"
    auth_token_ttl_s: int = Field(default=900, gt=0)
    upstream_timeout_s: float = Field(default=3.0, gt=0)
    stream_interval_s: float = Field(default=0.25, gt=0)
    positions_heartbeat_s: float = Field(default=2.0, gt=0)
    desk_enable_test_routes: bool = False

    @field_validator("tradier_base_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL, e.g. http://127.0.0.1:8099")
        return value.rstrip("/")

    @field_validator("auth_secret")
    @classmethod
    def _check_secret(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters")
        return value

    @field_validator("desk_users")
    @classmethod
    def _check_users(cls, value: SecretStr) -> SecretStr:
        _parse_users(value.get_secret_value())
        return value

    @cached_property
    def users(self) -> dict[str, SecretStr]:
        """Username -> password, parsed from ``DESK_USERS``."""
        return _parse_users(self.desk_users.get_secret_value())


def _parse_users(raw: str) -> dict[str, SecretStr]:
    users: dict[str, SecretStr] = {}
    for entry in raw.split(","):
        name, sep, password = entry.strip().partition(":")
        # Never echo the entry: it holds a password.
        if not sep or not _USER_RE.match(name) or not password:
            raise ValueError("must be a comma-separated list of user:password pairs")
        users[name] = SecretStr(password)
    return users


class SettingsError(Exception):
    """The environment does not hold a valid configuration; ``str()`` is one line for stderr."""


def load_settings() -> Settings:
    """``Settings`` from the environment, or ``SettingsError`` naming every bad variable."""
    try:
        return Settings()  # type: ignore[call-arg]  # fields come from the environment
    except ValidationError as exc:
        raise SettingsError(describe_errors(exc)) from None


def describe_errors(exc: ValidationError) -> str:
    """One line naming each offending environment variable and what to set (never its value)."""
    parts = []
    for error in exc.errors(include_input=False, include_url=False):
        name = str(error["loc"][0]).upper() if error["loc"] else "?"
        if error["type"] == "missing":
            parts.append(f"{name} is not set")
        else:
            message = str(error["msg"]).removeprefix("Value error, ")
            sep = " " if message.startswith("must") else ": "
            parts.append(f"{name}{sep}{message}")
    return (
        "invalid configuration: "
        + "; ".join(parts)
        + " (set them in the environment; see docs/CONTRACTS.md §3)"
    )
