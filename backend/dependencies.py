"""Request dependencies (``get_*``): settings, the Tradier client, the book, the current user."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.book import PositionBook
from backend.config import Settings
from backend.errors import ApiError
from backend.security import InvalidToken, verify_token
from backend.tradier import TradierClient

_SYMBOL_RE = re.compile(r"^[A-Z]{1,6}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# auto_error=False: a missing header must answer our JSON 401, not FastAPI's default.
_bearer = HTTPBearer(auto_error=False)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_tradier(request: Request) -> TradierClient:
    return request.app.state.tradier  # type: ignore[no-any-return]


def get_book(request: Request) -> PositionBook:
    return request.app.state.book  # type: ignore[no-any-return]


def _unauthorized(detail: str) -> ApiError:
    return ApiError(401, "not_authenticated", detail, headers={"WWW-Authenticate": "Bearer"})


SettingsDep = Annotated[Settings, Depends(get_settings)]
TradierDep = Annotated[TradierClient, Depends(get_tradier)]
BookDep = Annotated[PositionBook, Depends(get_book)]


def get_current_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    settings: SettingsDep,
) -> str:
    """The username of a valid bearer token; 401 with ``WWW-Authenticate: Bearer`` otherwise."""
    if credentials is None:
        raise _unauthorized("not authenticated: send Authorization: Bearer <token>")
    try:
        username = verify_token(credentials.credentials, settings.auth_secret)
    except InvalidToken as exc:
        raise _unauthorized(str(exc)) from exc
    if username not in settings.users:
        raise _unauthorized("unknown user")
    return username


CurrentUser = Annotated[str, Depends(get_current_user)]


def get_symbol(symbol: Annotated[str, Path(description="Underlying symbol, e.g. SPY")]) -> str:
    """The path symbol upper-cased; 422 unless it is 1-6 letters."""
    normalised = symbol.strip().upper()
    if not _SYMBOL_RE.match(normalised):
        raise ApiError(422, "invalid_symbol", "symbol must be 1-6 letters, e.g. SPY")
    return normalised


def get_expiration(
    expiration: Annotated[str | None, Query(description="YYYY-MM-DD; nearest when absent")] = None,
) -> str | None:
    """The optional expiration date; 422 unless it is a real ``YYYY-MM-DD`` date."""
    if expiration is None:
        return None
    try:
        if not _DATE_RE.match(expiration):
            raise ValueError(expiration)
        date.fromisoformat(expiration)
    except ValueError:
        raise ApiError(
            422, "invalid_expiration", "expiration must be a date as YYYY-MM-DD"
        ) from None
    return expiration


Symbol = Annotated[str, Depends(get_symbol)]
Expiration = Annotated[str | None, Depends(get_expiration)]
