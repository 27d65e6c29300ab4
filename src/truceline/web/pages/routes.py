"""HTML pages: documents, review queue and ledger."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from truceline.errors import InvalidInput
from truceline.users.rules import Action, Principal, can
from truceline.views.documents import count_documents, document_view, list_documents
from truceline.views.ledger import find_checkpoint, list_entries
from truceline.views.review import list_review_queue
from truceline.web.deps import RuntimeDep, SessionDep, allow, check_csrf, now_utc
from truceline.web.inputs import Page
from truceline.web.pages.rendering import render
from truceline.workflows.review import review_claim

router = APIRouter(include_in_schema=False)


@router.get("/documents", response_class=HTMLResponse)
def documents_page(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, allow(Action.READ_DOCUMENT)],
    page: Page = 1,
) -> HTMLResponse:
    items = list_documents(session, limit=50, offset=(page - 1) * 50)
    total = count_documents(session)
    return render(request, "documents.html", principal, documents=items, total=total, page=page)


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(
    request: Request,
    document_id: str,
    session: SessionDep,
    principal: Annotated[Principal, allow(Action.READ_DOCUMENT)],
) -> HTMLResponse:
    view = document_view(session, document_id, with_claims=can(principal, Action.READ_CLAIM))
    return render(request, "document.html", principal, **view)


@router.get("/review", response_class=HTMLResponse)
def review_page(
    request: Request, session: SessionDep, principal: Annotated[Principal, allow(Action.REVIEW_CLAIM)]
) -> HTMLResponse:
    return render(request, "review.html", principal, claims=list_review_queue(session, limit=50))


@router.post("/review/{claim_id}")
def review_submit(
    request: Request,
    claim_id: str,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.REVIEW_CLAIM)],
    decision: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    event_date: Annotated[str, Form(max_length=10)] = "",
    fatalities_best: Annotated[str, Form(max_length=6)] = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    changes = review_changes(event_date=event_date, fatalities_best=fatalities_best)
    with runtime.transaction() as session:
        review_claim(
            session,
            claim_id=claim_id,
            decision=decision,
            note=note,
            changes=changes or None,
            author=f"user:{principal.username}",
            now=now_utc(),
        )
    return RedirectResponse("/review", status_code=303)


def review_changes(*, event_date: str, fatalities_best: str) -> dict[str, Any]:
    """The fields a reviewer filled in on the form, as a correction."""
    changes: dict[str, Any] = {}
    if event_date.strip():
        changes["event_date"] = event_date.strip()
    if fatalities_best.strip():
        if not fatalities_best.strip().isdigit():
            raise InvalidInput(f"fatalities: expected a whole number, found {fatalities_best!r}")
        best = int(fatalities_best)
        changes["fatalities"] = {"best": best, "low": best}
    return changes


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_CHECKPOINT)],
    page: Page = 1,
) -> HTMLResponse:
    entries = (
        list_entries(session, principal=principal, limit=100, offset=(page - 1) * 100)
        if can(principal, Action.READ_LEDGER)
        else None
    )
    checkpoint = find_checkpoint(session)
    return render(
        request,
        "ledger.html",
        principal,
        entries=entries,
        checkpoint=checkpoint,
        page=page,
        log_key=runtime.signer.vkey(),
    )
