"""What the dashboard and record pages show, gathered across domains in one read."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from truceline.claims import service as claims
from truceline.documents import service as documents
from truceline.incidents import service as incidents
from truceline.ledger import service as ledger
from truceline.ledger.schemas import CheckpointRead
from truceline.talks.service import list_talks_rounds
from truceline.workflows import ledger_views


def collect_stats(session: Session) -> dict[str, Any]:
    return {
        "documents": documents.count_documents(session),
        "claims": claims.count_claims(session),
        "incidents": incidents.count_current_incidents(session),
        "ledger_size": ledger.tree_size(session),
        "checkpoint": find_published_checkpoint(session),
        "talks_rounds": list_talks_rounds(session),
    }


def find_published_checkpoint(session: Session) -> CheckpointRead | None:
    return ledger_views.find_checkpoint(session)


def document_view(session: Session, document_id: str, *, with_claims: bool) -> dict[str, Any]:
    document = documents.get_document(session, document_id)
    return {
        "document": document,
        "claims": claims.list_claims(session, document_id=document.id, limit=500) if with_claims else [],
        "proof": ledger_views.record_proof(session, kind="documents", record_id=document.id),
    }
