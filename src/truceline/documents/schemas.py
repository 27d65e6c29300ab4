"""Document shapes at the edges (API)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class DocumentSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    outlet: str
    url: str
    published: date | None
    language: str
    content_hash: str
    created_at: datetime


class DocumentRead(DocumentSummary):
    text: str


class DocumentPage(BaseModel):
    total: int
    items: list[DocumentSummary]
