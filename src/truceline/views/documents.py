"""Documents, claims and incidents as stored records (the API's record routes), and what a document's page
shows: the document, the claims taken from it and its ledger proof. Read-only."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from truceline.claims import service as claims_service
from truceline.claims.service import get_claim, list_claims
from truceline.documents import service as documents_service
from truceline.documents.service import get_document, list_documents
from truceline.incidents import service as incidents_service
from truceline.incidents.service import get_incident, list_current_incidents
from truceline.views.counts import count_once
from truceline.views.ledger import record_proof

__all__ = [
    "count_claims",
    "count_current_incidents",
    "count_documents",
    "document_view",
    "get_claim",
    "get_document",
    "get_incident",
    "list_claims",
    "list_current_incidents",
    "list_documents",
]


def count_documents(session: Session) -> int:
    return count_once(session, "documents", documents_service.count_documents)


def count_claims(session: Session) -> int:
    return count_once(session, "claims", claims_service.count_claims)


def count_current_incidents(session: Session) -> int:
    return count_once(session, "current incidents", incidents_service.count_current_incidents)


def document_view(session: Session, document_id: str, *, with_claims: bool) -> dict[str, Any]:
    document = get_document(session, document_id)
    return {
        "document": document,
        "claims": list_claims(session, document_id=document.id, limit=500) if with_claims else [],
        "proof": record_proof(session, kind="documents", record_id=document.id),
    }
