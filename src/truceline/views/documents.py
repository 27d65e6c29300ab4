"""What a document's page shows: the document, the claims taken from it and its ledger proof."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from truceline.claims import service as claims
from truceline.documents import service as documents
from truceline.views.ledger import record_proof


def document_view(session: Session, document_id: str, *, with_claims: bool) -> dict[str, Any]:
    document = documents.get_document(session, document_id)
    return {
        "document": document,
        "claims": claims.list_claims(session, document_id=document.id, limit=500) if with_claims else [],
        "proof": record_proof(session, kind="documents", record_id=document.id),
    }
