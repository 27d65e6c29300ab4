import pytest
from sqlalchemy import select

from tests.builders import NOW, add_one_of_each
from truceline.audit import verify_database
from truceline.claims.models import Claim, ClaimReview
from truceline.claims.service import create_claim, to_claim_value
from truceline.errors import Conflict, InvalidInput
from truceline.ledger.models import LedgerEntryRow
from truceline.runtime import Runtime
from truceline.views.review import list_review_queue
from truceline.workflows.review import review_claim


def _with_claim(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_one_of_each(session)
        value = to_claim_value(session.get(Claim, "doc-1-c1"))
        import dataclasses

        create_claim(session, dataclasses.replace(value, id="doc-1-c2"), author="test", now=NOW)


def test_unreviewed_claims_are_in_the_queue(runtime: Runtime) -> None:
    _with_claim(runtime)
    with runtime.sessions() as session:
        # doc-1-c1 was reviewed by the builder set; doc-1-c2 was not
        assert [c.id for c in list_review_queue(session)] == ["doc-1-c2"]


def test_a_correction_is_a_new_claim_that_supersedes_the_old_and_both_stay_in_the_ledger(
    runtime: Runtime,
) -> None:
    _with_claim(runtime)
    with runtime.transaction() as session:
        review = review_claim(
            session,
            claim_id="doc-1-c2",
            decision="corrected",
            note="two soldiers, not three",
            changes={"fatalities": {"best": 3, "low": 3}, "event_date": "2025-10-24"},
            author="analyst:a",
            now=NOW,
        )
    with runtime.sessions() as session:
        corrected = session.get(Claim, "doc-1-c2-r1")
        assert corrected is not None and review.correction_id == corrected.id
        assert corrected.supersedes_id == "doc-1-c2"
        assert corrected.fatalities["best"] == 3 and str(corrected.event_date) == "2025-10-24"
        assert session.get(Claim, "doc-1-c2").fatalities["best"] == 2
        kinds = {(e.kind, e.record_id) for e in session.scalars(select(LedgerEntryRow))}
        assert {("claims", "doc-1-c2"), ("claims", "doc-1-c2-r1"), ("claim_reviews", review.id)} <= kinds
        assert [c.id for c in list_review_queue(session)] == ["doc-1-c2-r1"]
        verify_database(session, log_verifier=runtime.log_verifier)


def test_a_claim_is_reviewed_once(runtime: Runtime) -> None:
    _with_claim(runtime)
    with runtime.transaction() as session:
        review_claim(session, claim_id="doc-1-c2", decision="accepted", author="analyst:a", now=NOW)
    with pytest.raises(Conflict, match="already been reviewed"), runtime.transaction() as session:
        review_claim(session, claim_id="doc-1-c2", decision="rejected", author="analyst:a", now=NOW)


@pytest.mark.parametrize(
    ("decision", "changes", "message"),
    [
        ("maybe", None, "decision: expected one of"),
        ("corrected", {}, "at least one changed field"),
        ("corrected", {"document_id": "x"}, "found document_id"),
        ("accepted", {"actor1": "x"}, "only a 'corrected' review"),
        ("corrected", {"event_date": "yesterday"}, "event_date: expected a date"),
    ],
)
def test_bad_reviews_are_refused_and_write_nothing(
    runtime: Runtime, decision: str, changes: dict | None, message: str
) -> None:
    _with_claim(runtime)
    with runtime.sessions() as session:
        before = len(list(session.scalars(select(LedgerEntryRow))))
    with pytest.raises(InvalidInput, match=message), runtime.transaction() as session:
        review_claim(session, claim_id="doc-1-c2", decision=decision, changes=changes, author="a", now=NOW)
    with runtime.sessions() as session:
        assert len(list(session.scalars(select(LedgerEntryRow)))) == before
        assert len(list(session.scalars(select(ClaimReview)))) == 1
