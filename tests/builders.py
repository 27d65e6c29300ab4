"""Plain builder functions for test records: one obvious way to make each thing, with sensible defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from truceline.alerts.models import AlertDelivery, AlertRule
from truceline.cases.models import (
    Case,
    CustodyEvent,
    Evidence,
    Finding,
    FindingSignature,
    Notification,
    Penalty,
)
from truceline.claims.models import Claim, ClaimReview
from truceline.complaints.models import Complaint, Response
from truceline.db.base import Record
from truceline.documents.models import Document
from truceline.incidents.models import Incident
from truceline.ledger.service import add_record
from truceline.notices.models import Notice, NoticeReceipt
from truceline.pipeline.document import SourceDocument
from truceline.sources.models import Source
from truceline.talks.models import TalksRound
from truceline.users.models import User, UserEvent
from truceline.users.token_models import ApiToken, ApiTokenRevocation, AuthEvent

NOW = datetime(2025, 11, 1, 9, 30, tzinfo=UTC)


def a_source_document(
    text: str = "Forces exchanged fire near Torkham on Saturday.", **kw: Any
) -> SourceDocument:
    fields: dict[str, Any] = {
        "id": "doc-1",
        "published": date(2025, 10, 25),
        "title": "A report",
        "outlet": "Test",
    }
    fields.update(kw)
    return SourceDocument(text=text, **fields)


def _base(record_id: str) -> dict[str, Any]:
    return {"id": record_id, "created_at": NOW, "created_by": "test", "supersedes_id": None}


def one_of_each_record() -> list[Record]:
    """One record of every ledgered kind, linked where the schema links them."""
    return [
        Source(**_base("src-1"), name="Test outlet", kind="outlet", url="", reliability="B", language="en"),
        Document(
            **_base("doc-1"),
            source_id="src-1",
            url="https://example.org/a",
            outlet="Test outlet",
            published=date(2025, 10, 25),
            title="A report",
            text="Forces exchanged fire near Torkham on Saturday.",
            language="en",
            content_hash="0" * 64,
        ),
        Claim(
            **_base("doc-1-c1"),
            document_id="doc-1",
            source_id="src-1",
            event_type="Battles",
            sub_event_type="Armed clash",
            process_type=None,
            event_date=date(2025, 10, 25),
            time_precision=1,
            actor1="Military Forces of Pakistan",
            actor2="Taliban (Afghanistan)",
            alleged=False,
            claimant=None,
            location={"name": "Torkham", "lat": 34.11472, "lon": 71.08472, "geo_precision": 1},
            fatalities={"best": 2, "low": 2, "high": None, "civilians": None},
            injuries=None,
            evidence={"text": "Forces exchanged fire near Torkham on Saturday.", "start": 0, "end": 47},
            confidence=0.8,
            extractor="test/1",
        ),
        ClaimReview(**_base("rev-1"), claim_id="doc-1-c1", decision="accepted", note="", correction_id=None),
        Incident(
            **_base("inc-1"),
            title="Clash at Torkham",
            event_type="Battles",
            sub_event_type="Armed clash",
            process_type=None,
            date_start=date(2025, 10, 25),
            date_end=date(2025, 10, 25),
            actors=["Military Forces of Pakistan", "Taliban (Afghanistan)"],
            location={"name": "Torkham"},
            fatalities={"best": 2},
            claim_ids=["doc-1-c1"],
            independent_sources=1,
            corroboration=0.4,
            reasons=["one source"],
        ),
        Complaint(
            **_base("cmp-1"),
            complainant_party="AF",
            accused_party="PK",
            incident_id="inc-1",
            claim_ids=["doc-1-c1"],
            clause_ids=["C1"],
            summary="Cross-border fire",
            signature=None,
        ),
        Response(
            **_base("rsp-1"), complaint_id="cmp-1", party="PK", text="We returned fire.", signature=None
        ),
        Case(
            **_base("case-1"),
            title="Torkham fire",
            status="open",
            complaint_ids=["cmp-1"],
            incident_ids=["inc-1"],
            monitors=["monitor-1"],
            deadline=NOW,
            notes="",
        ),
        Evidence(
            **_base("ev-1"),
            case_id="case-1",
            kind="url",
            sha256=None,
            filename="",
            media_type="",
            size_bytes=None,
            url="https://example.org/photo",
            is_sealed=False,
            is_confidential=False,
            submitted_by_party="AF",
            metadata_={"note": "x"},
        ),
        CustodyEvent(**_base("cus-1"), evidence_id="ev-1", action="received", actor="monitor-1", detail=""),
        Finding(
            **_base("fnd-1"),
            case_id="case-1",
            verdict="violation_confirmed",
            responsible_party="PK",
            responsibility="forces",
            clause_ids=["C1"],
            confidence="likely",
            rationale="Two independent sources.",
            status="proposed",
        ),
        FindingSignature(**_base("sig-1"), finding_id="fnd-1", signer="qatar", key="k", signature="s"),
        Penalty(
            **_base("pen-1"),
            finding_id="fnd-1",
            party="PK",
            level=1,
            name="Notice",
            description="Formal notice",
        ),
        Notification(
            **_base("ntf-1"),
            party="PK",
            kind="troop_rotation",
            area={"type": "Point", "coordinates": [71.08, 34.11], "radius_km": 5},
            starts_at=NOW,
            ends_at=NOW,
            description="",
        ),
        TalksRound(
            **_base("talks-x"),
            name="Test round",
            place="Doha",
            start_date=date(2025, 10, 18),
            end_date=date(2025, 10, 19),
            mediators=["QA"],
            outcome="Ceasefire",
            source="",
        ),
        User(
            **_base("user-1"),
            username="mediator1",
            role="mediator",
            party=None,
            password_hash="$argon2id$x",
            is_active=True,
            public_key=None,
        ),
        UserEvent(
            **_base("uev-1"),
            user_id="user-1",
            kind="password_changed",
            payload={"password_hash": "$argon2id$y"},
        ),
        ApiToken(
            **_base("tok-1"), token_hash="a" * 64, username="mediator1", expires_at=NOW, is_revoked=False
        ),
        ApiTokenRevocation(**_base("rvk-1"), token_id="tok-1"),
        AuthEvent(**_base("auth-1"), username="mediator1", event="login_succeeded", detail=""),
        AlertRule(
            **_base("alr-1"),
            name="Mass-casualty incidents",
            kind="fatalities_at_least",
            threshold=100_000,  # never reached: a run over the test data sends nothing
            channel="webhook",
            target="https://example.org/hooks/truceline",
            is_active=True,
        ),
        AlertDelivery(
            **_base("dlv-1"),
            rule_id="alr-1",
            event_key="incident:inc-1",
            subject="[Truceline] 2 killed: Clash at Torkham",
            body="Incident inc-1: Clash at Torkham",
            channel="webhook",
            target="https://example.org/hooks/truceline",
            outcome="failed",
            detail="ConnectError: [Errno 111] Connection refused",
            attempt=1,
        ),
        Notice(
            **_base("ntc-1"),
            party="PK",
            kind="complaint_filed",
            complaint_id="cmp-1",
            subject="Complaint cmp-1 against Pakistan: reply by 2025-11-08 09:30 UTC",
            body="Afghanistan filed complaint cmp-1.",
            due_at=NOW,
        ),
        NoticeReceipt(**_base("rcp-1"), notice_id="ntc-1", reader="liaison-pk"),
    ]


def add_one_of_each(session: Session) -> list[Record]:
    records = one_of_each_record()
    for record in records:
        add_record(session, record, author="test", now=NOW)
    return records
