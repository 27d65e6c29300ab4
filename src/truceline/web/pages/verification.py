"""Pages for the verification workflow: complaints and replies, cases, and the published findings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from truceline.cases.schemas import CaseCreate, FindingCreate, NotificationCreate
from truceline.complaints.schemas import ComplaintCreate, ResponseCreate
from truceline.users.rules import Action, Principal, can
from truceline.views import cases as case_views
from truceline.views import complaints as complaint_views
from truceline.views.filters import parse_as_of
from truceline.views.notifications import flag_claims_in_notices, list_notifications
from truceline.views.records import case_view, complaint_view, finding_view, published_finding_views
from truceline.web.deps import RuntimeDep, SessionDep, allow, now_utc
from truceline.web.pages.rendering import render
from truceline.web.uploads import read_upload
from truceline.workflows import verification as flow

router = APIRouter(include_in_schema=False)


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


@router.get("/complaints", response_class=HTMLResponse)
def complaints_page(
    request: Request, session: SessionDep, principal: Annotated[Principal, allow(Action.READ_COMPLAINT)]
) -> HTMLResponse:
    found = complaint_views.list_complaints(session, principal=principal)
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
    view = complaint_view(
        session, runtime.scenario, principal=principal, complaint_id=complaint_id, now=now_utc()
    )
    return render(request, "complaint.html", principal, view=view)


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
    return render(request, "cases.html", principal, cases=case_views.list_cases(session, principal=principal))


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
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_CASE)],
) -> HTMLResponse:
    view = case_view(session, runtime.scenario, principal=principal, case_id=case_id)
    return render(request, "case.html", principal, view=view)


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
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_FINDING)],
    at: str = "",
) -> HTMLResponse:
    as_of = parse_as_of(at)
    views = published_finding_views(session, runtime.scenario, principal=principal, as_of=as_of)
    return render(request, "findings.html", principal, findings=views, at=as_of and as_of.date())


@router.get("/findings/{finding_id}", response_class=HTMLResponse)
def finding_page(
    request: Request,
    finding_id: str,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_FINDING)],
) -> HTMLResponse:
    view = finding_view(session, runtime.scenario, principal=principal, finding_id=finding_id)
    return render(request, "finding.html", principal, view=view)


@router.post("/cases/{case_id}/evidence")
def evidence_submit(
    case_id: str,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.ADD_EVIDENCE)],
    file: Annotated[UploadFile | None, File()] = None,
    url: Annotated[str, Form(max_length=2000)] = "",
    description: Annotated[str, Form(max_length=5000)] = "",
    is_confidential: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    upload = read_upload(file, max_bytes=runtime.settings.max_upload_bytes)
    with runtime.transaction() as session:
        flow.add_evidence(
            session,
            principal=principal,
            store=flow.evidence_store(runtime.settings),
            case_id=case_id,
            file=upload,
            url=url.strip() or None,
            media_type=(file.content_type or "") if upload and file else "",
            description=description,
            is_confidential=is_confidential,
            now=now_utc(),
        )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/findings")
def finding_submit(
    case_id: str,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.PROPOSE_FINDING)],
    verdict: Annotated[str, Form(max_length=30)],
    confidence: Annotated[str, Form(max_length=30)],
    rationale: Annotated[str, Form(max_length=50_000)],
    responsible_party: Annotated[str, Form(max_length=20)] = "",
    responsibility: Annotated[str, Form(max_length=20)] = "",
    clause_ids: Annotated[str, Form(max_length=500)] = "",
) -> RedirectResponse:
    body = FindingCreate(
        verdict=verdict,
        confidence=confidence,
        rationale=rationale,
        responsible_party=responsible_party or None,
        responsibility=responsibility or None,
        clause_ids=_ids(clause_ids),
    )
    with runtime.transaction() as session:
        flow.propose_finding(
            session,
            principal=principal,
            scenario=runtime.scenario,
            case_id=case_id,
            finding_in=body,
            now=now_utc(),
        )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/findings/{finding_id}/signatures")
def finding_sign_submit(
    finding_id: str,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.SIGN_FINDING)],
    signature: Annotated[str, Form(max_length=200)],
) -> RedirectResponse:
    with runtime.transaction() as session:
        row = flow.sign_finding(
            session, principal=principal, finding_id=finding_id, signature=signature.strip(), now=now_utc()
        )
        case_id = case_views.get_finding(session, row.finding_id).case_id
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/findings/{finding_id}/adopt")
def finding_adopt_submit(
    finding_id: str, runtime: RuntimeDep, principal: Annotated[Principal, allow(Action.SIGN_FINDING)]
) -> RedirectResponse:
    with runtime.transaction() as session:
        adoption = flow.adopt_finding(
            session, principal=principal, scenario=runtime.scenario, finding_id=finding_id, now=now_utc()
        )
    return RedirectResponse(f"/cases/{adoption.finding.case_id}", status_code=303)


@router.post("/findings/{finding_id}/publish")
def finding_publish_submit(
    finding_id: str, runtime: RuntimeDep, principal: Annotated[Principal, allow(Action.PUBLISH_FINDING)]
) -> RedirectResponse:
    with runtime.transaction() as session:
        flow.publish_finding(session, principal=principal, finding_id=finding_id, now=now_utc())
    return RedirectResponse("/findings", status_code=303)


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(
    request: Request, session: SessionDep, principal: Annotated[Principal, allow(Action.READ_NOTIFICATION)]
) -> HTMLResponse:
    notices = [n for n in list_notifications(session) if can(principal, Action.READ_NOTIFICATION, n)]
    flagged = flag_claims_in_notices(session) if can(principal, Action.READ_CLAIM) else []
    return render(request, "notifications.html", principal, notices=notices, flagged=flagged)


@router.post("/notifications")
def notification_submit(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.FILE_NOTIFICATION)],
    kind: Annotated[str, Form(max_length=40)],
    lat: Annotated[float, Form(ge=-90, le=90)],
    lon: Annotated[float, Form(ge=-180, le=180)],
    radius_km: Annotated[float, Form(gt=0)],
    starts_at: Annotated[datetime, Form()],
    ends_at: Annotated[datetime, Form()],
    description: Annotated[str, Form(max_length=5000)] = "",
) -> RedirectResponse:
    body = NotificationCreate(
        kind=kind,
        area={"type": "Point", "coordinates": [lon, lat], "radius_km": radius_km},
        starts_at=starts_at if starts_at.tzinfo else starts_at.replace(tzinfo=UTC),
        ends_at=ends_at if ends_at.tzinfo else ends_at.replace(tzinfo=UTC),
        description=description,
    )
    with runtime.transaction() as session:
        flow.file_notification(session, principal=principal, notification_in=body, now=now_utc())
    return RedirectResponse("/notifications", status_code=303)
