"""Notices: a complaint notifies the accused party in the same transaction, a reminder comes a day before
the deadline unless it replied, the party reads and acknowledges only its own, every notice is ledgered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.builders import NOW
from tests.cases.world import a_complaint_in, a_world, file_a_complaint
from truceline.audit import verify_database
from truceline.complaints.schemas import ResponseCreate
from truceline.errors import InvalidInput, NotFound, PermissionDenied
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.service import create_checkpoint
from truceline.notices.models import Notice
from truceline.notices.schemas import NoticeDeliveryIn
from truceline.runtime import Runtime
from truceline.views import notices as inbox_views
from truceline.workflows import notices
from truceline.workflows import verification as flow


def test_filing_a_complaint_notifies_the_accused_party_with_its_deadline_in_the_ledger(
    runtime: Runtime,
) -> None:
    world = a_world(runtime)
    complaint = file_a_complaint(world)
    with runtime.sessions() as session:
        [notice] = session.scalars(select(Notice)).all()
        entry = session.scalars(
            select(LedgerEntryRow).where(
                LedgerEntryRow.kind == "notices", LedgerEntryRow.record_id == notice.id
            )
        ).one()
    assert (notice.party, notice.kind, notice.complaint_id) == ("PK", "complaint_filed", complaint.id)
    assert notice.due_at == NOW + timedelta(days=runtime.scenario.reply_window_days)
    assert "reply by" in notice.subject and "Afghanistan filed complaint" in notice.body
    assert entry.author == notices.NOTICES_AUTHOR
    with runtime.transaction() as session:
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
    with runtime.sessions() as session:
        verify_database(session, log_verifier=runtime.log_verifier)


def test_a_refused_complaint_leaves_no_notice(runtime: Runtime) -> None:
    world = a_world(runtime)
    with pytest.raises(InvalidInput), runtime.transaction() as session:
        flow.file_complaint(
            session,
            principal=world["liaison-af"],
            scenario=runtime.scenario,
            complaint_in=a_complaint_in(clause_ids=["C99"]),
            now=NOW,
        )
    with runtime.sessions() as session:
        assert session.scalars(select(Notice)).all() == []


def test_a_reminder_is_written_once_a_day_before_the_deadline_unless_the_party_replied(
    runtime: Runtime,
) -> None:
    world = a_world(runtime)
    window = timedelta(days=runtime.scenario.reply_window_days)
    unanswered = file_a_complaint(world)
    answered = file_a_complaint(world)
    with runtime.transaction() as session:
        flow.respond_to_complaint(
            session,
            principal=world["liaison-pk"],
            scenario=runtime.scenario,
            response_in=ResponseCreate(complaint_id=answered.id, text="We did not fire."),
            now=NOW + timedelta(hours=1),
        )

    def remind(at: timedelta) -> list[str | None]:
        with runtime.transaction() as session:
            return [
                n.complaint_id for n in notices.write_due_reminders(session, runtime.scenario, now=NOW + at)
            ]

    assert remind(window - timedelta(days=2)) == []  # too early
    assert remind(window - timedelta(hours=20)) == [unanswered.id]
    assert remind(window - timedelta(hours=2)) == []  # once
    with runtime.sessions() as session:
        inbox = inbox_views.inbox(session, principal=world["liaison-pk"])
        kinds = [i.notice.kind for i in inbox if i.notice.complaint_id == unanswered.id]
    assert sorted(kinds) == ["complaint_filed", "reply_reminder"]


def test_a_party_reads_and_acknowledges_only_its_own_notices(runtime: Runtime) -> None:
    world = a_world(runtime)
    file_a_complaint(world)
    pk, af, mediator = world["liaison-pk"], world["liaison-af"], world["mediator-qatar"]
    with runtime.sessions() as session:
        [item] = inbox_views.inbox(session, principal=pk)
        assert inbox_views.inbox(session, principal=af) == []
        assert [i.notice.id for i in inbox_views.inbox(session, principal=mediator)] == [item.notice.id]
        assert (inbox_views.unread_count(session, pk), inbox_views.unread_count(session, af)) == (1, 0)
        assert inbox_views.unread_count(session, mediator) is None
        with pytest.raises(NotFound):
            inbox_views.read_notice_item(session, principal=af, notice_id=item.notice.id)
    with pytest.raises(NotFound), runtime.transaction() as session:
        notices.mark_read(session, principal=af, notice_id=item.notice.id, now=NOW)
    with (
        pytest.raises(PermissionDenied),
        runtime.transaction() as session,
    ):  # the secretariat does not sign for a party
        notices.mark_read(session, principal=mediator, notice_id=item.notice.id, now=NOW)
    with runtime.transaction() as session:
        first = notices.mark_read(
            session, principal=pk, notice_id=item.notice.id, now=NOW + timedelta(hours=2)
        )
    with runtime.transaction() as session:
        again = notices.mark_read(
            session, principal=pk, notice_id=item.notice.id, now=NOW + timedelta(hours=3)
        )
    assert first.receipt is not None and again.receipt is not None
    assert again.receipt.id == first.receipt.id and first.receipt.reader == "liaison-pk"
    with runtime.sessions() as session:
        assert inbox_views.unread_count(session, pk) == 0
        [read] = inbox_views.inbox(session, principal=mediator)
        assert (
            read.is_read and read.receipt is not None and read.receipt.created_at == NOW + timedelta(hours=2)
        )


def test_only_a_party_sets_up_delivery_of_its_notices_and_only_of_them(runtime: Runtime) -> None:
    world = a_world(runtime)
    email = NoticeDeliveryIn(channel="email", target="liaison@pk.example.org")
    with runtime.transaction() as session:
        rule = notices.add_notice_delivery(session, principal=world["liaison-pk"], delivery_in=email, now=NOW)
    assert (rule.kind, rule.created_by) == ("party_notice", "liaison-pk")
    with runtime.sessions() as session:
        assert [r.id for r in inbox_views.list_notice_deliveries(session, principal=world["liaison-pk"])] == [
            rule.id
        ]
        assert inbox_views.list_notice_deliveries(session, principal=world["liaison-af"]) == []
        with pytest.raises(PermissionDenied):
            inbox_views.list_notice_deliveries(session, principal=world["mediator-qatar"])
    with pytest.raises(NotFound), runtime.transaction() as session:
        notices.disable_notice_delivery(session, principal=world["liaison-af"], rule_id=rule.id, now=NOW)
    with (
        pytest.raises(InvalidInput, match="target: expected an e-mail address"),
        runtime.transaction() as session,
    ):
        bad = NoticeDeliveryIn(channel="email", target="not an address")
        notices.add_notice_delivery(session, principal=world["liaison-pk"], delivery_in=bad, now=NOW)
