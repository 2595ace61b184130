"""``POST /api/auth/login``: username and password in, short-lived bearer token out."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from backend.dependencies import SettingsDep
from backend.errors import ApiError
from backend.schemas import error_responses
from backend.security import check_password, issue_token

router = APIRouter(prefix="/api/auth", tags=["auth"])


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


@router.post("/login", responses=error_responses(400, 401, 422))
async def create_token(body: LoginRequest, settings: SettingsDep) -> TokenResponse:
    if not check_password(settings.users, body.username, body.password):
        raise ApiError(
            401,
            "invalid_credentials",
            "wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    token = issue_token(body.username, settings.auth_secret, settings.auth_token_ttl_s)
    return TokenResponse(access_token=token, expires_in=settings.auth_token_ttl_s)
