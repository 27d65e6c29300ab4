"""Verification API: complaints, replies, cases, evidence, findings, penalties, notices, cosignatures."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from truceline.cases.schemas import (
    CaseCreate,
    FindingCreate,
    FindingRead,
    FindingVersionRead,
    NotificationCreate,
)
from truceline.complaints.schemas import ComplaintCreate, ComplaintRead, ResponseCreate, ResponseRead
from truceline.db.versions import base_id, version_of
from truceline.users.rules import Action, Principal
from truceline.views import cases as case_views
from truceline.views import complaints as complaint_views
from truceline.views import notices as inbox_views
from truceline.views.filters import parse_as_of
from truceline.views.ledger import witness_keys
from truceline.views.records import finding_read, finding_version_read, finding_view, published_finding_views
from truceline.web.deps import RuntimeDep, SessionDep, allow, now_utc
from truceline.web.uploads import file_download, read_upload
from truceline.workflows import verification as flow
from truceline.workflows.witness import add_cosignature, witness_for_line

router = APIRouter(tags=["verification"])


class StatusIn(BaseModel):
    status: str = Field(max_length=30)


class SignatureIn(BaseModel):
    signature: str = Field(
        max_length=200, description="base64 Ed25519 signature of the finding's signing bytes"
    )


class CosignatureIn(BaseModel):
    line: str = Field(max_length=1000, description="a C2SP tlog-cosignature note signature line")


def _by(principal: Principal) -> dict[str, Any]:
    return {"principal": principal, "now": now_utc()}


@router.post("/complaints", status_code=201)
def file_complaint(
    body: ComplaintCreate, runtime: RuntimeDep, principal: Annotated[Principal, allow(Action.FILE_COMPLAINT)]
) -> dict[str, Any]:
    with runtime.transaction() as session:
        filed = flow.file_complaint(session, scenario=runtime.scenario, complaint_in=body, **_by(principal))
        read = complaint_views.complaint_read(
            filed.complaint, reply_window_days=runtime.scenario.reply_window_days
        )
        notified = [inbox_views.notice_read(inbox_views.InboxItem(n, None)) for n in filed.notices]
        return {
            "complaint": read.model_dump(mode="json"),
            "notices": [n.model_dump(mode="json") for n in notified],
        }


@router.get("/complaints", response_model=list[ComplaintRead])
def list_complaints(
    session: SessionDep, runtime: RuntimeDep, principal: Annotated[Principal, allow(Action.READ_COMPLAINT)]
) -> list[ComplaintRead]:
    days = runtime.scenario.reply_window_days
    found = complaint_views.list_complaints(session, principal=principal)
    return [complaint_views.complaint_read(c, reply_window_days=days) for c in found]


@router.get("/complaints/{complaint_id}")
def get_complaint(
    complaint_id: str,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_COMPLAINT)],
) -> dict[str, Any]:
    complaint = complaint_views.read_complaint(session, principal=principal, complaint_id=complaint_id)
    read = complaint_views.complaint_read(complaint, reply_window_days=runtime.scenario.reply_window_days)
    replies = [
        complaint_views.response_read(r).model_dump(mode="json")
        for r in complaint_views.list_responses(session, complaint.id)
    ]
    return {"complaint": read.model_dump(mode="json"), "responses": replies}


@router.post("/responses", response_model=ResponseRead, status_code=201)
def file_response(
    body: ResponseCreate, runtime: RuntimeDep, principal: Annotated[Principal, allow(Action.FILE_RESPONSE)]
) -> ResponseRead:
    with runtime.transaction() as session:
        response = flow.respond_to_complaint(
            session, scenario=runtime.scenario, response_in=body, **_by(principal)
        )
        return complaint_views.response_read(response)


@router.post("/cases", status_code=201)
def open_case(
    body: CaseCreate, runtime: RuntimeDep, principal: Annotated[Principal, allow(Action.OPEN_CASE)]
) -> dict[str, Any]:
    with runtime.transaction() as session:
        case = flow.open_case(session, case_in=body, **_by(principal))
        return case_views.case_summary(session, principal=principal, case_id=case.id)


@router.get("/cases")
def list_cases(
    session: SessionDep, principal: Annotated[Principal, allow(Action.READ_CASE)]
) -> list[dict[str, Any]]:
    return [
        {"id": c.id, "title": c.title, "status": c.status, "deadline": c.deadline}
        for c in case_views.list_cases(session, principal=principal)
    ]


@router.get("/cases/{case_id}")
def get_case(
    case_id: str, session: SessionDep, principal: Annotated[Principal, allow(Action.READ_CASE)]
) -> dict[str, Any]:
    return case_views.case_summary(session, principal=principal, case_id=case_id)


@router.post("/cases/{case_id}/status")
def transition_case(
    case_id: str,
    body: StatusIn,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.UPDATE_CASE)],
) -> dict[str, Any]:
    with runtime.transaction() as session:
        case = flow.transition_case(session, case_id=case_id, status=body.status, **_by(principal))
        return case_views.case_summary(session, principal=principal, case_id=case.id)


@router.post("/cases/{case_id}/evidence", status_code=201)
def add_evidence(
    case_id: str,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.ADD_EVIDENCE)],
    file: Annotated[UploadFile | None, File()] = None,
    url: Annotated[str | None, Form(max_length=2000)] = None,
    sealed_sha256: Annotated[str | None, Form(max_length=64)] = None,
    description: Annotated[str, Form(max_length=5000)] = "",
    is_confidential: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    upload = read_upload(file, max_bytes=runtime.settings.max_upload_bytes)
    with runtime.transaction() as session:
        evidence = flow.add_evidence(
            session,
            store=flow.evidence_store(runtime.settings),
            case_id=case_id,
            file=upload,
            url=url,
            sealed_sha256=sealed_sha256,
            media_type=(file.content_type or "") if file is not None else "",
            description=description,
            is_confidential=is_confidential,
            **_by(principal),
        )
        return {
            "id": evidence.id,
            "sha256": evidence.sha256,
            "kind": evidence.kind,
            "is_sealed": evidence.is_sealed,
        }


@router.get(
    "/evidence/{evidence_id}/file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file, as stored"}},
)
def download_evidence(
    evidence_id: str, runtime: RuntimeDep, principal: Annotated[Principal, allow(Action.READ_EVIDENCE)]
) -> Response:
    """An evidence file, for those allowed to read it, hash-checked before it is served (a changed file is
    refused) and its read entered in the chain of custody; `Repr-Digest` and `X-Evidence-SHA256` give the
    hash."""
    with runtime.transaction() as session:
        evidence, data = flow.read_evidence_file(
            session, store=flow.evidence_store(runtime.settings), evidence_id=evidence_id, **_by(principal)
        )
    return file_download(
        data,
        filename=evidence.filename or evidence.id,
        media_type=evidence.media_type,
        sha256=evidence.sha256 or "",
    )


@router.post("/cases/{case_id}/findings", status_code=201)
def propose_finding(
    case_id: str,
    body: FindingCreate,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.PROPOSE_FINDING)],
) -> dict[str, Any]:
    with runtime.transaction() as session:
        finding = flow.propose_finding(
            session, scenario=runtime.scenario, case_id=case_id, finding_in=body, **_by(principal)
        )
        return {
            "id": base_id(finding.id),
            "version": version_of(finding.id),
            "status": finding.status,
            "signing_bytes_b64": _b64(case_views.signing_message(finding)),
        }


@router.post("/findings/{finding_id}/signatures", status_code=201)
def sign_finding(
    finding_id: str,
    body: SignatureIn,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.SIGN_FINDING)],
) -> dict[str, Any]:
    with runtime.transaction() as session:
        row = flow.sign_finding(session, finding_id=finding_id, signature=body.signature, **_by(principal))
        return {"id": row.id, "finding_id": base_id(row.finding_id), "signer": row.signer}


@router.post("/findings/{finding_id}/adopt")
def adopt_finding(
    finding_id: str, runtime: RuntimeDep, principal: Annotated[Principal, allow(Action.SIGN_FINDING)]
) -> dict[str, Any]:
    with runtime.transaction() as session:
        adoption = flow.adopt_finding(
            session, scenario=runtime.scenario, finding_id=finding_id, **_by(principal)
        )
        penalty = adoption.penalty
        return {
            "id": base_id(adoption.finding.id),
            "version": version_of(adoption.finding.id),
            "status": adoption.finding.status,
            "penalty": None
            if penalty is None
            else {"party": penalty.party, "level": penalty.level, "name": penalty.name},
        }


@router.post("/findings/{finding_id}/publish")
def publish_finding(
    finding_id: str, runtime: RuntimeDep, principal: Annotated[Principal, allow(Action.PUBLISH_FINDING)]
) -> dict[str, Any]:
    with runtime.transaction() as session:
        finding = flow.publish_finding(session, finding_id=finding_id, **_by(principal))
        return {"id": base_id(finding.id), "version": version_of(finding.id), "status": finding.status}


@router.get("/findings", response_model=list[FindingRead])
def published_findings(
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_FINDING)],
    at: str = "",
) -> list[FindingRead]:
    """The published findings, newest first; `at=YYYY-MM-DD`: those published by the end of that day."""
    views = published_finding_views(session, runtime.scenario, principal=principal, as_of=parse_as_of(at))
    return [finding_read(view) for view in views]


@router.get("/findings/{finding_id}", response_model=FindingRead)
def get_finding(
    finding_id: str,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_FINDING)],
) -> FindingRead:
    """A finding by its public id: its latest version the caller may read (a party: once published), with
    clause titles, parties, confidence and penalty in words, the signatures with their keys, its proof."""
    view = finding_view(session, runtime.scenario, principal=principal, finding_id=finding_id)
    return finding_read(view)


@router.get("/findings/{finding_id}/versions", response_model=list[FindingVersionRead])
def finding_versions(
    finding_id: str,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_FINDING)],
) -> list[FindingVersionRead]:
    """Every version of the finding the caller may read, oldest first (proposed, adopted, published)."""
    view = finding_view(session, runtime.scenario, principal=principal, finding_id=finding_id)
    return [finding_version_read(v) for v in view.versions]


@router.post("/notifications", status_code=201)
def file_notification(
    body: NotificationCreate,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.FILE_NOTIFICATION)],
) -> dict[str, Any]:
    with runtime.transaction() as session:
        row = flow.file_notification(session, notification_in=body, **_by(principal))
        return {"id": row.id, "party": row.party, "kind": row.kind}


@router.post("/ledger/cosignatures", status_code=201)
def cosign_checkpoint(
    body: CosignatureIn, runtime: RuntimeDep, _: Annotated[Principal, allow(Action.COSIGN_CHECKPOINT)]
) -> dict[str, Any]:
    with runtime.transaction() as session:
        verifier = witness_for_line(body.line, witness_keys(session, runtime.scenario))
        row = add_cosignature(session, line=body.line, witness_verifier=verifier, now=now_utc())
        return {"id": row.id, "witness": row.witness, "checkpoint_id": row.checkpoint_id}


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()
