"""Incident shapes at the edges (API)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class IncidentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    event_type: str
    sub_event_type: str
    process_type: str | None
    date_start: date | None
    date_end: date | None
    actors: list[Any]
    location: dict[str, Any]
    fatalities: dict[str, Any]
    claim_ids: list[Any]
    independent_sources: int
    corroboration: float
    reasons: list[Any]
    supersedes_id: str | None
    created_at: datetime


class IncidentPage(BaseModel):
    total: int
    items: list[IncidentRead]
