"""Unit tests of ``backend.security``: token issue/verify/expiry and password checks."""

from __future__ import annotations

import time

import jwt
import pytest
from pydantic import SecretStr

from backend.security import InvalidToken, check_password, issue_token, verify_token

SECRET = SecretStr("k" * 32)
OTHER_SECRET = SecretStr("z" * 32)


def test_issued_token_verifies_to_its_user() -> None:
    assert verify_token(issue_token("qe", SECRET, 60), SECRET) == "qe"


def test_token_carries_sub_iat_exp_hs256() -> None:
    token = issue_token("qe", SECRET, 60, now=1_700_000_000)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims == {"sub": "qe", "iat": 1_700_000_000, "exp": 1_700_000_060}


def test_expired_token_is_rejected() -> None:
    token = issue_token("qe", SECRET, 60, now=time.time() - 120)
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(token, SECRET)


def test_token_signed_with_another_secret_is_rejected() -> None:
    with pytest.raises(InvalidToken):
        verify_token(issue_token("qe", OTHER_SECRET, 60), SECRET)


def test_garbage_token_is_rejected() -> None:
    with pytest.raises(InvalidToken):
        verify_token("not.a.jwt", SECRET)


def test_unsigned_token_is_rejected() -> None:
    now = int(time.time())
    token = jwt.encode({"sub": "qe", "iat": now, "exp": now + 60}, None, algorithm="none")
    with pytest.raises(InvalidToken):
        verify_token(token, SECRET)


def test_token_without_exp_is_rejected() -> None:
    token = jwt.encode({"sub": "qe", "iat": int(time.time())}, SECRET.get_secret_value())
    with pytest.raises(InvalidToken):
        verify_token(token, SECRET)


def test_right_password_passes() -> None:
    assert check_password({"qe": SecretStr("pw")}, "qe", "pw")


def test_wrong_password_fails() -> None:
    assert not check_password({"qe": SecretStr("pw")}, "qe", "pw2")


def test_unknown_user_fails() -> None:
    assert not check_password({"qe": SecretStr("pw")}, "nobody", "pw")
