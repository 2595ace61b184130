"""Unit tests of the error mapping (``backend.errors``) and input validation dependencies."""

from __future__ import annotations

import pytest

from backend.dependencies import get_expiration, get_symbol
from backend.errors import ApiError, upstream_status
from backend.tradier import UnknownSymbol, UpstreamAuthError, UpstreamError, UpstreamTimeout


def test_unknown_symbol_maps_to_404() -> None:
    assert upstream_status(UnknownSymbol("ZZZZ")) == (404, "unknown_symbol")


def test_upstream_error_maps_to_502() -> None:
    assert upstream_status(UpstreamError("upstream answered 500")) == (502, "upstream_error")


def test_upstream_auth_maps_to_502_upstream_auth() -> None:
    assert upstream_status(UpstreamAuthError("rejected")) == (502, "upstream_auth")


def test_upstream_timeout_maps_to_504() -> None:
    assert upstream_status(UpstreamTimeout("slow")) == (504, "upstream_timeout")


def test_symbol_is_upper_cased() -> None:
    assert get_symbol("spy") == "SPY"


@pytest.mark.parametrize("bad", ["SPY1", "TOOLONGX", "", "S-P", "SP Y", "ÄPFEL"])
def test_malformed_symbol_is_422(bad: str) -> None:
    with pytest.raises(ApiError) as info:
        get_symbol(bad)
    assert (info.value.status, info.value.code) == (422, "invalid_symbol")


def test_absent_expiration_is_none() -> None:
    assert get_expiration(None) is None


def test_valid_expiration_passes() -> None:
    assert get_expiration("2026-12-04") == "2026-12-04"


@pytest.mark.parametrize("bad", ["2026-13-01", "2026-02-30", "20261204", "2026-1-4", "tomorrow"])
def test_malformed_expiration_is_422(bad: str) -> None:
    with pytest.raises(ApiError) as info:
        get_expiration(bad)
    assert (info.value.status, info.value.code) == (422, "invalid_expiration")
