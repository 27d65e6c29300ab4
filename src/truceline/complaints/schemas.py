"""Complaint and response shapes at the edges (API, CLI): what a party files and what it reads back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class SignatureIn(_In):
    """A party's signature over what it files (see docs/verification.md, "What is signed")."""

    nonce: str = Field(min_length=8, max_length=128)
    signed_at: str = Field(description="RFC 3339 UTC with six fractional digits, as in the ledger")
    signature: str = Field(max_length=200, description="base64 of the 64-byte Ed25519 signature")


class ComplaintCreate(_In):
    accused_party: str = Field(min_length=1, max_length=20)
    incident_id: str | None = Field(default=None, max_length=80)
    claim_ids: list[str] = Field(default=[], max_length=200)
    clause_ids: list[str] = Field(min_length=1, max_length=50)
    summary: str = Field(min_length=1, max_length=20_000)
    signature: SignatureIn | None = None


class ResponseCreate(_In):
    complaint_id: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1, max_length=20_000)
    corrects: str | None = Field(default=None, description="id of our earlier response this one replaces")
    signature: SignatureIn | None = None


class ComplaintRead(BaseModel):
    id: str
    created_at: datetime
    created_by: str
    complainant_party: str
    accused_party: str
    incident_id: str | None
    claim_ids: list[Any]
    clause_ids: list[Any]
    summary: str
    is_signed: bool
    reply_due: datetime


class ResponseRead(BaseModel):
    id: str
    created_at: datetime
    created_by: str
    complaint_id: str
    party: str
    text: str
    is_signed: bool
    supersedes_id: str | None
