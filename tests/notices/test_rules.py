"""Notice rules: when a reply reminder is due; what a notice says (facts and ids, no party's words)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from truceline.notices.rules import complaint_filed_text, is_reminder_due, reminder_text

DUE = datetime(2025, 11, 8, 9, 30, tzinfo=UTC)


def test_a_reminder_is_due_in_the_last_day_before_the_deadline_and_not_after_it() -> None:
    assert not is_reminder_due(DUE, now=DUE - timedelta(days=1, seconds=1))
    assert is_reminder_due(DUE, now=DUE - timedelta(days=1))
    assert is_reminder_due(DUE, now=DUE - timedelta(seconds=1))
    assert not is_reminder_due(DUE, now=DUE)  # past the deadline the reply is overdue, not reminded


def test_a_complaint_notice_names_the_parties_clauses_and_the_deadline() -> None:
    subject, body = complaint_filed_text(
        complaint_id="cmp-1",
        complainant="Afghanistan",
        accused="Pakistan",
        clauses="C2 No cross-border fire",
        filed_at=DUE - timedelta(days=7),
        due_at=DUE,
    )
    assert subject == "Complaint cmp-1 against Pakistan: reply by 2025-11-08 09:30 UTC"
    assert "Afghanistan filed complaint cmp-1 on 2025-11-01 09:30 UTC" in body
    assert "C2 No cross-border fire" in body and "until 2025-11-08 09:30 UTC" in body
    reminder, text = reminder_text(
        complaint_id="cmp-1", complainant="Afghanistan", accused="Pakistan", due_at=DUE
    )
    assert reminder == "Reminder: the reply to complaint cmp-1 is due by 2025-11-08 09:30 UTC"
    assert "No reply of Pakistan" in text
