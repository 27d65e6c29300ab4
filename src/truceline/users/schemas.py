"""Account, login and token shapes at the edges (API, forms); no shape carries a password hash."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from truceline.users.rules import Role


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=40)
    # SecretStr keeps the password out of reprs, logs and validation error messages.
    password: SecretStr
    role: Role
    party: str | None = None
    public_key: str | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    role: Role
    party: str | None
    is_active: bool
    public_key: str | None
    created_at: datetime
    created_by: str


class UserPage(BaseModel):
    total: int
    items: list[UserRead]


class LoginRequest(BaseModel):
    username: str = Field(max_length=200)
    password: SecretStr


class PrincipalRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    username: str
    role: Role
    party: str | None


class TokenIssued(BaseModel):
    """Shown once, right after issuing: the token itself cannot be read back later."""

    token: str
    expires_at: datetime


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    created_at: datetime
    created_by: str
    expires_at: datetime
    is_revoked: bool


class AuthEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    event: str
    detail: str
    created_at: datetime
    created_by: str
