"""Account, login and token shapes at the edges (API, forms); no shape carries a password hash."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from truceline.users.rules import Role
from truceline.users.service import DEFAULT_TOKEN_TTL, MAX_TOKEN_TTL
from truceline.users.token_models import ApiToken


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


class TokenCreate(BaseModel):
    expires_days: int = Field(default=DEFAULT_TOKEN_TTL.days, ge=1, le=MAX_TOKEN_TTL.days)


class TokenIssued(BaseModel):
    """Shown once, right after issuing: the token itself cannot be read back later."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    expires_at: datetime
    token: str


class TokenRead(BaseModel):
    """A token as listed: never the secret nor its hash; `is_revoked` comes from its revocation record."""

    id: str
    username: str
    created_at: datetime
    created_by: str
    expires_at: datetime
    is_revoked: bool

    @classmethod
    def of(cls, token: ApiToken, *, is_revoked: bool) -> TokenRead:
        return cls(
            id=token.id,
            username=token.username,
            created_at=token.created_at,
            created_by=token.created_by,
            expires_at=token.expires_at,
            is_revoked=is_revoked,
        )


class TokenRevocationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    token_id: str
    created_at: datetime
    created_by: str


class AuthEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    event: str
    detail: str
    created_at: datetime
    created_by: str
