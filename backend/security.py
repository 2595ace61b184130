"""Bearer tokens: short-lived HS256 JWTs (``sub``, ``iat``, ``exp``) and password checks."""

from __future__ import annotations

import hmac
import time

import jwt
from pydantic import SecretStr

ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The token is malformed, badly signed, expired or lacks a subject."""


def issue_token(username: str, secret: SecretStr, ttl_s: int, now: float | None = None) -> str:
    """A signed JWT for ``username`` valid for ``ttl_s`` seconds from ``now``."""
    issued = int(time.time() if now is None else now)
    claims = {"sub": username, "iat": issued, "exp": issued + ttl_s}
    return jwt.encode(claims, secret.get_secret_value(), algorithm=ALGORITHM)


def verify_token(token: str, secret: SecretStr) -> str:
    """The username a valid token was issued to; ``InvalidToken`` otherwise."""
    try:
        claims = jwt.decode(
            token,
            secret.get_secret_value(),
            algorithms=[ALGORITHM],
            options={"require": ["sub", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("token expired") from exc
    except jwt.InvalidTokenError as exc:
        raise InvalidToken("invalid token") from exc
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("invalid token")
    return subject


def check_password(users: dict[str, SecretStr], username: str, password: str) -> bool:
    """Constant-time check; an unknown user still costs one comparison."""
    expected = users.get(username)
    candidate = password.encode()
    if expected is None:
        hmac.compare_digest(candidate, candidate)
        return False
    return hmac.compare_digest(candidate, expected.get_secret_value().encode())
