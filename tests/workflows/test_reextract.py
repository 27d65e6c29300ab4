"""Re-extraction: new claims supersede the old, history stays in the ledger, analysts' decisions stand."""

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select

from tests.builders import NOW, a_source_document
from tests.incidents.builders import KHOST, make_claim
from truceline.audit import verify_database
from truceline.claims.models import Claim, ClaimReview
from truceline.claims.service import create_claim
from truceline.documents.service import create_document
from truceline.errors import NotFound
from truceline.pipeline.claims import ClaimValue
from truceline.pipeline.document import SourceDocument
from truceline.runtime import Runtime
from truceline.workflows.reextract import reextract_documents
from truceline.workflows.review import review_claim

OLD, NEW = "rules/0.1", "rules/0.2"


def _old_claims() -> list[ClaimValue]:
    clash = dataclasses.replace(make_claim("doc-1-c1", document_id="doc-1"), extractor=OLD)
    strike = dataclasses.replace(
        make_claim(
            "doc-1-c2",
            document_id="doc-1",
            event_type="Explosions/Remote violence",
            sub_event_type="Air/drone strike",
            place=KHOST,
            place_name="Khost",
            country="AF",
        ),
        extractor=OLD,
    )
    return [clash, strike]


def _new_extract(doc: SourceDocument, today: date) -> list[ClaimValue]:
    """The improved extractor: finds the clash again (now with its toll) and a talks claim; not the strike."""
    clash = dataclasses.replace(make_claim(f"{doc.id}-c1", document_id=doc.id, best=2), extractor=NEW)
    talks = dataclasses.replace(
        make_claim(
            f"{doc.id}-c2",
            document_id=doc.id,
            event_type="Strategic developments",
            sub_event_type="Other",
            process_type="talks_held",
            day=date(2025, 12, 6),
        ),
        extractor=NEW,
    )
    return [clash, talks]


def _setup(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        create_document(session, a_source_document(id="doc-1"), author="test", now=NOW)
        for value in _old_claims():
            create_claim(session, value, author="test", now=NOW)


def _current(session: object) -> dict[str, Claim]:
    rows = list(session.scalars(select(Claim)))  # type: ignore[attr-defined]
    superseded = {r.supersedes_id for r in rows if r.supersedes_id}
    rejected = set(session.scalars(select(ClaimReview.claim_id).where(ClaimReview.decision == "rejected")))  # type: ignore[attr-defined]
    return {r.id: r for r in rows if r.id not in superseded and r.id not in rejected}


def test_new_claims_supersede_the_old_and_a_vanished_one_is_withdrawn(runtime: Runtime) -> None:
    _setup(runtime)
    with runtime.transaction() as session:
        result = reextract_documents(session, extract=_new_extract, extractor=NEW, author="test", now=NOW)
    assert result.created == ["doc-1-x2-c1", "doc-1-x2-c2"]
    assert result.superseded == ["doc-1-c1"]
    assert result.withdrawn == ["doc-1-c2"]
    with runtime.sessions() as session:
        new = session.get(Claim, "doc-1-x2-c1")
        assert new is not None and new.supersedes_id == "doc-1-c1" and new.fatalities["best"] == 2
        assert session.get(Claim, "doc-1-c1") is not None  # history kept, never deleted
        [review] = session.scalars(select(ClaimReview).where(ClaimReview.claim_id == "doc-1-c2"))
        assert review.decision == "rejected" and NEW in review.note
        assert set(_current(session)) == {"doc-1-x2-c1", "doc-1-x2-c2"}
        verify_database(session, log_verifier=runtime.log_verifier)  # raises on any mismatch


def test_running_it_again_with_the_same_extractor_writes_nothing(runtime: Runtime) -> None:
    _setup(runtime)
    with runtime.transaction() as session:
        reextract_documents(session, extract=_new_extract, extractor=NEW, author="test", now=NOW)
    with runtime.sessions() as session:
        before = len(list(session.scalars(select(Claim))))
    with runtime.transaction() as session:
        again = reextract_documents(session, extract=_new_extract, extractor=NEW, author="test", now=NOW)
    assert again.unchanged == ["doc-1"] and again.created == [] and again.withdrawn == []
    with runtime.sessions() as session:
        assert len(list(session.scalars(select(Claim)))) == before


def test_a_claim_an_analyst_reviewed_is_left_alone(runtime: Runtime) -> None:
    _setup(runtime)
    with runtime.transaction() as session:
        review_claim(session, claim_id="doc-1-c1", decision="accepted", author="analyst", now=NOW)
        result = reextract_documents(session, extract=_new_extract, extractor=NEW, author="test", now=NOW)
    # the clash was accepted: no machine claim goes over it; the talks claim is new
    assert result.superseded == [] and result.created == ["doc-1-x2-c1"]
    with runtime.sessions() as session:
        stored = session.get(Claim, "doc-1-x2-c1")
        assert stored is not None and stored.process_type == "talks_held"
        assert "doc-1-c1" in _current(session)


def test_an_unknown_document_writes_nothing(runtime: Runtime) -> None:
    _setup(runtime)
    with pytest.raises(NotFound), runtime.transaction() as session:
        reextract_documents(
            session,
            extract=_new_extract,
            extractor=NEW,
            author="test",
            now=NOW,
            document_ids=["doc-1", "nope"],
        )
    with runtime.sessions() as session:
        assert {r.id for r in session.scalars(select(Claim))} == {"doc-1-c1", "doc-1-c2"}
