"""Review queue API: claims waiting for an analyst, and the analyst's decision on one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from truceline.claims.schemas import ClaimRead
from truceline.users.rules import Action, Principal
from truceline.views.review import list_review_queue
from truceline.web.deps import RuntimeDep, SessionDep, allow, now_utc
from truceline.web.inputs import Limit
from truceline.workflows.review import review_claim

router = APIRouter(tags=["review"])


class ReviewIn(BaseModel):
    decision: str = Field(description="accepted, rejected or corrected")
    note: str = Field(default="", max_length=2000)
    changes: dict[str, Any] | None = Field(
        default=None, description="Corrected fields (decision 'corrected')"
    )


class ReviewOut(BaseModel):
    id: str
    claim_id: str
    decision: str
    correction_id: str | None


@router.get("/review/queue", response_model=list[ClaimRead])
def review_queue(
    session: SessionDep,
    _: Annotated[Principal, allow(Action.REVIEW_CLAIM)],
    limit: Limit = 50,
) -> list[ClaimRead]:
    return [ClaimRead.model_validate(c) for c in list_review_queue(session, limit=limit)]


@router.post("/claims/{claim_id}/review", response_model=ReviewOut, status_code=201)
def review(
    claim_id: str,
    body: ReviewIn,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.REVIEW_CLAIM)],
) -> ReviewOut:
    with runtime.transaction() as session:
        row = review_claim(
            session,
            claim_id=claim_id,
            decision=body.decision,
            note=body.note,
            changes=body.changes,
            author=f"user:{principal.username}",
            now=now_utc(),
        )
        return ReviewOut(
            id=row.id, claim_id=row.claim_id, decision=row.decision, correction_id=row.correction_id
        )
