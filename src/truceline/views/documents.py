"""Documents, claims and incidents as stored records (the API's record routes), and what a document's page
shows: the document, the claims taken from it and its ledger proof. Read-only."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from truceline.claims.service import count_claims, get_claim, list_claims
from truceline.documents.service import count_documents, get_document, list_documents
from truceline.incidents.service import count_current_incidents, get_incident, list_current_incidents
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


def document_view(session: Session, document_id: str, *, with_claims: bool) -> dict[str, Any]:
    document = get_document(session, document_id)
    return {
        "document": document,
        "claims": list_claims(session, document_id=document.id, limit=500) if with_claims else [],
        "proof": record_proof(session, kind="documents", record_id=document.id),
    }
