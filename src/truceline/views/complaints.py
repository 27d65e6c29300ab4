"""Complaints and replies as a principal may read them, and the content a party signs for a filing.
Read-only."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from truceline.complaints import service as complaints
from truceline.complaints.schemas import ComplaintCreate, ResponseCreate
from truceline.complaints.service import (
    complaint_read,
    list_complaints,
    list_responses,
    read_complaint,
    response_read,
)

__all__ = [
    "complaint_read",
    "complaint_to_sign",
    "list_complaints",
    "list_responses",
    "read_complaint",
    "response_read",
    "response_to_sign",
]


def complaint_to_sign(party: str, complaint_in: ComplaintCreate) -> dict[str, Any]:
    """The content a party signs for this complaint (see `complaints.rules.signing_message`)."""
    return complaints.complaint_signing_content(party, complaint_in)


def response_to_sign(session: Session, response_in: ResponseCreate) -> dict[str, Any]:
    """The content the accused party signs for this reply."""
    return complaints.response_signing_content(
        complaints.get_complaint(session, response_in.complaint_id), response_in
    )
