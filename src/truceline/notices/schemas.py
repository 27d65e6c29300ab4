"""Notice shapes at the edges (API)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class NoticeRead(BaseModel):
    id: str
    party: str
    kind: str
    complaint_id: str | None
    subject: str
    body: str
    due_at: datetime | None = Field(description="the reply deadline the notice is about")
    created_at: datetime = Field(description="when the party was notified (its ledger entry's time)")
    read_at: datetime | None = Field(description="when a liaison of the party first marked it read")
    read_by: str | None


class NoticeDeliveryIn(BaseModel):
    channel: str = Field(max_length=10, description="webhook or email")
    target: str = Field(max_length=2000, description="the URL or the e-mail address")
