"""Pages for the verification workflow: complaints and replies, cases, and the published findings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from truceline.cases import service as cases
from truceline.cases.schemas import CaseCreate
from truceline.complaints import service as complaints
from truceline.complaints.schemas import ComplaintCreate, ResponseCreate
from truceline.users.rules import Action, Principal
from truceline.web.deps import RuntimeDep, SessionDep, allow, now_utc
from truceline.web.pages.rendering import render
from truceline.workflows import verification as flow
from truceline.workflows.publications import list_published_findings

router = APIRouter(include_in_schema=False)


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


@router.get("/complaints", response_class=HTMLResponse)
def complaints_page(
    request: Request, session: SessionDep, principal: Annotated[Principal, allow(Action.READ_COMPLAINT)]
) -> HTMLResponse:
    found = flow.list_complaints(session, principal=principal)
    return render(request, "complaints.html", principal, complaints=found)


@router.post("/complaints")
def complaint_submit(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.FILE_COMPLAINT)],
    accused_party: Annotated[str, Form(max_length=20)],
    clause_ids: Annotated[str, Form(max_length=500)],
    summary: Annotated[str, Form(max_length=20_000)],
    incident_id: Annotated[str, Form(max_length=80)] = "",
) -> RedirectResponse:
    body = ComplaintCreate(
        accused_party=accused_party,
        clause_ids=_ids(clause_ids),
        summary=summary,
        incident_id=incident_id or None,
    )
    with runtime.transaction() as session:
        filed = flow.file_complaint(
            session, principal=principal, scenario=runtime.scenario, complaint_in=body, now=now_utc()
        )
    return RedirectResponse(f"/complaints/{filed.complaint.id}", status_code=303)


@router.get("/complaints/{complaint_id}", response_class=HTMLResponse)
def complaint_page(
    request: Request,
    complaint_id: str,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_COMPLAINT)],
) -> HTMLResponse:
    complaint = complaints.read_complaint(session, principal=principal, complaint_id=complaint_id)
    read = complaints.complaint_read(complaint, reply_window_days=runtime.scenario.reply_window_days)
    replies = complaints.list_responses(session, complaint.id)
    return render(request, "complaint.html", principal, complaint=read, responses=replies)


@router.post("/complaints/{complaint_id}/responses")
def response_submit(
    complaint_id: str,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.FILE_RESPONSE)],
    text: Annotated[str, Form(max_length=20_000)],
) -> RedirectResponse:
    body = ResponseCreate(complaint_id=complaint_id, text=text)
    with runtime.transaction() as session:
        flow.respond_to_complaint(
            session, principal=principal, scenario=runtime.scenario, response_in=body, now=now_utc()
        )
    return RedirectResponse(f"/complaints/{complaint_id}", status_code=303)


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request, session: SessionDep, principal: Annotated[Principal, allow(Action.READ_CASE)]
) -> HTMLResponse:
    return render(request, "cases.html", principal, cases=cases.list_cases(session, principal=principal))


@router.post("/cases")
def case_submit(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.OPEN_CASE)],
    title: Annotated[str, Form(max_length=300)],
    complaint_ids: Annotated[str, Form(max_length=2000)] = "",
    monitors: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    body = CaseCreate(title=title, complaint_ids=_ids(complaint_ids), monitors=_ids(monitors))
    with runtime.transaction() as session:
        case = flow.open_case(session, principal=principal, case_in=body, now=now_utc())
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    case_id: str,
    session: SessionDep,
    principal: Annotated[Principal, allow(Action.READ_CASE)],
) -> HTMLResponse:
    summary = flow.case_summary(session, principal=principal, case_id=case_id)
    return render(request, "case.html", principal, case=summary)


@router.post("/cases/{case_id}/status")
def case_status_submit(
    case_id: str,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.UPDATE_CASE)],
    status: Annotated[str, Form(max_length=30)],
) -> RedirectResponse:
    with runtime.transaction() as session:
        case = flow.transition_case(
            session, principal=principal, case_id=case_id, status=status, now=now_utc()
        )
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


@router.get("/findings", response_class=HTMLResponse)
def findings_page(
    request: Request, session: SessionDep, principal: Annotated[Principal, allow(Action.READ_FINDING)]
) -> HTMLResponse:
    return render(request, "findings.html", principal, findings=list_published_findings(session))
