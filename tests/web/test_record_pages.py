"""Complaint, case and finding pages: claim beside counter-claim, sources, evidence, each record's proof."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.builders import NOW, one_of_each_record
from tests.cases.world import CLAIM, INCIDENT, World, a_complaint_in, a_finding_in, a_world
from truceline.cases.schemas import CaseCreate
from truceline.cases.service import get_case
from truceline.claims.models import Claim
from truceline.complaints.schemas import ResponseCreate
from truceline.ledger.service import add_record, create_checkpoint, find_entry_for
from truceline.runtime import Runtime
from truceline.users.service import issue_token
from truceline.views import cases as case_views
from truceline.web.app import create_app
from truceline.web.deps import now_utc
from truceline.workflows import verification as flow

PK_SPAN = "Pakistani officials said Afghan Taliban fighters fired first at the Torkham post."
AF_SPAN = "A Taliban spokesman said Pakistani forces shelled Torkham village."


@dataclass
class Records:
    complaint: str
    response: str
    case: str
    finding: str
    evidence_file_sha256: str
    confidential_description: str


def _claim(claim_id: str, *, claimant: str, text: str) -> Claim:
    """A copy of the builders' claim on doc-1, alleged by `claimant`, with its own evidence span."""
    base = next(r for r in one_of_each_record() if isinstance(r, Claim))
    columns = {a.key: getattr(base, a.key) for a in Claim.__mapper__.column_attrs}
    columns.update(
        id=claim_id, alleged=True, claimant=claimant, evidence={"text": text, "start": 0, "end": 1}
    )
    return Claim(**columns)


def _a_case(runtime: Runtime) -> tuple[World, Records]:
    """AF complains about the Torkham incident citing three claims (PK's, AF's, a wire report's); PK replies;
    a case is investigated with evidence from both sides and a finding is proposed; a checkpoint is signed."""
    world = a_world(runtime)
    now = now_utc()
    with runtime.transaction() as session:
        add_record(
            session, _claim("doc-1-pk", claimant="Government of Pakistan", text=PK_SPAN), author="t", now=NOW
        )
        add_record(
            session, _claim("doc-1-af", claimant="Taliban (Afghanistan)", text=AF_SPAN), author="t", now=NOW
        )
        complaint = flow.file_complaint(
            session,
            principal=world["liaison-af"],
            scenario=runtime.scenario,
            complaint_in=a_complaint_in(claim_ids=[CLAIM, "doc-1-pk", "doc-1-af"], clause_ids=["C1", "C2"]),
            now=now,
        ).complaint
        response = flow.respond_to_complaint(
            session,
            principal=world["liaison-pk"],
            scenario=runtime.scenario,
            response_in=ResponseCreate(complaint_id=complaint.id, text="Our post returned fire only."),
            now=now,
        )
        case = flow.open_case(
            session,
            principal=world["mediator-qatar"],
            case_in=CaseCreate(
                title="Torkham shelling",
                complaint_ids=[complaint.id],
                incident_ids=[INCIDENT],
                monitors=["monitor-one"],
                deadline=now + timedelta(days=14),
                notes="Secretariat only: the informant asked not to be named.",
            ),
            now=now,
        )
        flow.transition_case(
            session, principal=world["mediator-qatar"], case_id=case.id, status="investigating", now=now
        )
        evidence = flow.add_evidence(
            session,
            principal=world["monitor-one"],
            store=world.store,
            case_id=case.id,
            file=("crater.txt", b"crater 3 m wide"),
            description="Crater measurement",
            now=now,
        )
        flow.add_evidence(
            session,
            principal=world["liaison-af"],
            store=world.store,
            case_id=case.id,
            url="https://example.org/af-witness",
            description="AF witness statement, confidential",
            is_confidential=True,
            now=now,
        )
        finding = flow.propose_finding(
            session,
            principal=world["monitor-one"],
            scenario=runtime.scenario,
            case_id=case.id,
            finding_in=a_finding_in(),
            now=now,
        )
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
    assert evidence.sha256 is not None
    records = Records(
        complaint.id, response.id, case.id, finding.id, evidence.sha256, "AF witness statement, confidential"
    )
    return world, records


def _client(runtime: Runtime, username: str | None) -> TestClient:
    client = TestClient(create_app(runtime))
    if username is not None:
        with runtime.transaction() as session:
            token = issue_token(session, username=username, author="test", now=now_utc())
        client.headers["Authorization"] = f"Bearer {token}"
    return client


def _seq(runtime: Runtime, kind: str, record_id: str) -> int:
    with runtime.sessions() as session:
        entry = find_entry_for(session, kind=kind, record_id=record_id)
    assert entry is not None
    return entry.seq


def _proof_seq(html: str, label: str) -> int:
    """The entry number the ledger box labelled `label` shows."""
    box = re.search(rf'<aside class="ledger-proof" aria-label="{re.escape(label)}">(.*?)</aside>', html, re.S)
    assert box is not None, label
    seq = re.search(r"<dt>Ledger entry</dt><dd>#(\d+)", box.group(1))
    assert seq is not None
    return int(seq.group(1))


def _sections(html: str, css_class: str) -> list[str]:
    return re.findall(rf'<section class="[^"]*\b{css_class}\b[^"]*".*?</section>', html, re.S)


def _sign_adopt_publish(world: World, finding_id: str) -> None:
    runtime = world.runtime
    with runtime.transaction() as session:
        message = case_views.finding_signing_message(session, finding_id)
        for mediator in ("mediator-qatar", "mediator-turkiye"):
            signature = base64.b64encode(world.signers[mediator].sign(message)).decode()
            flow.sign_finding(
                session, principal=world[mediator], finding_id=finding_id, signature=signature, now=now_utc()
            )
        flow.adopt_finding(
            session,
            principal=world["mediator-qatar"],
            scenario=runtime.scenario,
            finding_id=finding_id,
            now=now_utc(),
        )
        flow.publish_finding(session, principal=world["mediator-qatar"], finding_id=finding_id, now=now_utc())
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)


def test_the_complaint_page_sets_the_complaint_beside_the_reply_with_sources_and_proofs(
    runtime: Runtime,
) -> None:
    _, ids = _a_case(runtime)
    html = _client(runtime, "mediator-qatar").get(f"/complaints/{ids.complaint}").text
    claim_side, reply_side = _sections(html, "claim-side")[0], _sections(html, "reply-side")[0]
    assert "Shelling across the line near Torkham." in claim_side
    assert "<strong>C1</strong> Ceasefire" in claim_side and "<strong>C2</strong>" in claim_side
    assert f'href="/incidents/{INCIDENT}"' in claim_side
    assert (
        'href="/documents/doc-1"' in claim_side and "Test outlet" in claim_side and "2025-10-25" in claim_side
    )
    assert (
        f"<blockquote>{PK_SPAN}</blockquote>" in claim_side
        and "alleged by Government of Pakistan" in claim_side
    )
    assert "Our post returned fire only." in reply_side and "Our post returned fire only." not in claim_side
    assert "Answered." in reply_side and "not signed" in reply_side
    assert _proof_seq(html, "Ledger: the complaint") == _seq(runtime, "complaints", ids.complaint)
    assert _proof_seq(html, "Ledger: this reply") == _seq(runtime, "responses", ids.response)
    assert "Included in the checkpoint of" in html
    assert re.search(r'href="/api/ledger/proof/inclusion\?seq=\d+&amp;size=\d+"', html)
    assert 'href="/api/ledger/checkpoint.txt"' in html and 'href="/ledger#offline"' in html
    complaint_seq = _seq(runtime, "complaints", ids.complaint)
    assert f'<div class="verify" data-seq="{complaint_seq}" data-kind="complaints"' in html


def test_the_accused_party_sees_sources_without_claims_and_gets_the_reply_form_while_open(
    runtime: Runtime,
) -> None:
    world = a_world(runtime)
    with runtime.transaction() as session:
        complaint = flow.file_complaint(
            session,
            principal=world["liaison-af"],
            scenario=runtime.scenario,
            complaint_in=a_complaint_in(),
            now=now_utc(),
        ).complaint
    html = _client(runtime, "liaison-pk").get(f"/complaints/{complaint.id}").text
    assert "Open:" in html and f'action="/complaints/{complaint.id}/responses"' in html
    assert 'href="/documents/doc-1"' in html  # the source document, which a party may read
    assert "<blockquote>" not in html  # but not the extracted claim, the analysts' working material
    assert "Included in the checkpoint of" in html  # every write is sealed as it commits
    complainant = _client(runtime, "liaison-af").get(f"/complaints/{complaint.id}").text
    assert "Open:" in complainant and "/responses" not in complainant


def test_the_case_page_groups_claims_by_side_and_lists_evidence_findings_and_proofs(runtime: Runtime) -> None:
    _, ids = _a_case(runtime)
    html = _client(runtime, "mediator-qatar").get(f"/cases/{ids.case}").text
    columns = {
        re.search(r"<h3[^>]*>(.*?)</h3>", c, re.S).group(1): c for c in _sections(html, "source-column")
    }  # type: ignore[union-attr]
    assert set(columns) == {"Claims from Pakistan", "Claims from Afghanistan", "Independent reporting"}
    assert PK_SPAN in columns["Claims from Pakistan"] and AF_SPAN not in columns["Claims from Pakistan"]
    assert AF_SPAN in columns["Claims from Afghanistan"] and PK_SPAN not in columns["Claims from Afghanistan"]
    assert "Forces exchanged fire near Torkham" in columns["Independent reporting"]
    pair = _sections(html, "claim-side")[0] + _sections(html, "reply-side")[0]
    assert "Shelling across the line" in pair and "Our post returned fire only." in pair
    assert (
        ids.evidence_file_sha256 in html
        and "Crater measurement" in html
        and "received by monitor-one" in html
    )
    assert ids.confidential_description in html  # mediators read confidential evidence
    assert "the informant asked not to be named" in html  # and the internal notes
    assert f'href="/findings/{ids.finding}"' in html
    with runtime.sessions() as session:
        latest = get_case(session, ids.case).id
    assert latest == f"{ids.case}.v3"  # open, investigating, finding_proposed
    assert _proof_seq(html, "Ledger: this case version") == _seq(runtime, "cases", latest)
    assert _proof_seq(html, f"Ledger: finding {ids.finding}") == _seq(runtime, "findings", ids.finding)

    party = _client(runtime, "liaison-pk").get(f"/cases/{ids.case}").text
    assert ids.evidence_file_sha256 in party and ids.confidential_description not in party
    assert "the informant asked not to be named" not in party
    assert ids.finding not in party  # a proposed finding is not a party's to read
    assert PK_SPAN not in party  # a party sees no claim, only each source document, once
    assert party.count('href="/documents/doc-1"') == 1


def test_a_finding_page_is_refused_until_published_then_shows_verdict_signatures_and_proof(
    runtime: Runtime,
) -> None:
    world, ids = _a_case(runtime)
    mediator = _client(runtime, "mediator-qatar")
    for username in ("liaison-pk", "liaison-af"):
        refused = _client(runtime, username).get(f"/findings/{ids.finding}")
        assert refused.status_code == 404 and "Crater analysis" not in refused.text
    anonymous = _client(runtime, None)
    assert anonymous.get(f"/findings/{ids.finding}").status_code == 404
    for url in (f"/cases/{ids.case}", f"/complaints/{ids.complaint}"):
        response = anonymous.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")

    _sign_adopt_publish(world, ids.finding)
    html = mediator.get(f"/findings/{ids.finding}").text
    assert "violation confirmed" in html and "Pakistan, its own forces" in html
    assert '<strong>Ceasefire</strong> <span class="muted">(C1)</span>' in html and "likely (55–80%)" in html
    assert "Step 1 of 5 of the penalty schedule: Formal notice" in html
    assert "Crater analysis and two independent witnesses." in html
    assert len(re.findall(r'<span class="valid">valid</span>', html)) == 2
    assert "Formal notice" in html and f'href="/cases/{ids.case}"' in html
    assert _proof_seq(html, "Ledger") == _seq(runtime, "findings", f"{ids.finding}.v3")
    public = anonymous.get(f"/findings/{ids.finding}")
    assert public.status_code == 200 and "Crater analysis" in public.text
    assert f'href="/cases/{ids.case}"' not in public.text and "Formal notice" not in public.text
    accused = _client(runtime, "liaison-pk").get(f"/findings/{ids.finding}").text
    assert "Formal notice" in accused  # the penalty applied to PK is PK's to read
    assert "Included in the checkpoint of" in public.text
