"""Read API for documents, claims and incidents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from truceline.claims.schemas import ClaimPage, ClaimRead
from truceline.documents.schemas import DocumentPage, DocumentRead, DocumentSummary
from truceline.incidents.schemas import IncidentPage, IncidentRead
from truceline.users.rules import Action, Principal
from truceline.views import documents as records
from truceline.web.deps import SessionDep, allow
from truceline.web.inputs import Limit, Offset

router = APIRouter(tags=["records"])
CanReadDocuments = Annotated[Principal, allow(Action.READ_DOCUMENT)]
CanReadClaims = Annotated[Principal, allow(Action.READ_CLAIM)]
CanReadIncidents = Annotated[Principal, allow(Action.READ_INCIDENT)]


@router.get("/documents", response_model=DocumentPage)
def list_documents(
    session: SessionDep, _: CanReadDocuments, limit: Limit = 50, offset: Offset = 0
) -> DocumentPage:
    items = records.list_documents(session, limit=limit, offset=offset)
    return DocumentPage(
        total=records.count_documents(session), items=[DocumentSummary.model_validate(d) for d in items]
    )


@router.get("/documents/{document_id}", response_model=DocumentRead)
def get_document(document_id: str, session: SessionDep, _: CanReadDocuments) -> DocumentRead:
    return DocumentRead.model_validate(records.get_document(session, document_id))


@router.get("/claims", response_model=ClaimPage)
def list_claims(
    session: SessionDep,
    _: CanReadClaims,
    document_id: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ClaimPage:
    items = records.list_claims(session, document_id=document_id, limit=limit, offset=offset)
    return ClaimPage(total=records.count_claims(session), items=[ClaimRead.model_validate(c) for c in items])


@router.get("/claims/{claim_id}", response_model=ClaimRead)
def get_claim(claim_id: str, session: SessionDep, _: CanReadClaims) -> ClaimRead:
    return ClaimRead.model_validate(records.get_claim(session, claim_id))


@router.get("/incidents", response_model=IncidentPage)
def list_incidents(
    session: SessionDep, _: CanReadIncidents, limit: Limit = 50, offset: Offset = 0
) -> IncidentPage:
    items = records.list_current_incidents(session, limit=limit, offset=offset)
    return IncidentPage(
        total=records.count_current_incidents(session),
        items=[IncidentRead.model_validate(i) for i in items],
    )


@router.get("/incidents/{incident_id}", response_model=IncidentRead)
def get_incident(incident_id: str, session: SessionDep, _: CanReadIncidents) -> IncidentRead:
    return IncidentRead.model_validate(records.get_incident(session, incident_id))
