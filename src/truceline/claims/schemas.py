"""Claim shapes at the edges (API)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class ClaimRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    document_id: str | None
    event_type: str
    sub_event_type: str
    process_type: str | None
    event_date: date | None
    time_precision: int | None
    actor1: str | None
    actor2: str | None
    alleged: bool
    claimant: str | None
    location: dict[str, Any]
    fatalities: dict[str, Any]
    injuries: int | None
    evidence: dict[str, Any]
    confidence: float
    extractor: str
    supersedes_id: str | None
    created_at: datetime


class ClaimPage(BaseModel):
    total: int
    items: list[ClaimRead]
