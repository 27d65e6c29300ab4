"""Pure rules for notices: their kinds, when a reply reminder is due, and what each kind of notice says."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

# A reply reminder goes out this long before the reply window closes.
REMINDER_LEAD = timedelta(days=1)


class NoticeKind(StrEnum):
    COMPLAINT_FILED = "complaint_filed"  # a complaint against the party: its right of reply opens
    REPLY_REMINDER = "reply_reminder"  # the reply window closes within a day and no reply is on record


def is_reminder_due(due_at: datetime, *, now: datetime) -> bool:
    """True in the last `REMINDER_LEAD` before the deadline (not after it: then the reply is overdue)."""
    return due_at - REMINDER_LEAD <= now < due_at


def format_moment(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def complaint_filed_text(
    *, complaint_id: str, complainant: str, accused: str, clauses: str, filed_at: datetime, due_at: datetime
) -> tuple[str, str]:
    """(subject, body) of the notice to the accused party. Identifiers and facts only: the complainant's
    own words stay on the complaint's page, under the access policy."""
    subject = f"Complaint {complaint_id} against {accused}: reply by {format_moment(due_at)}"
    body = (
        f"{complainant} filed complaint {complaint_id} on {format_moment(filed_at)}, alleging that {accused} "
        f"breached: {clauses}.\n"
        f"{accused} has the right of reply until {format_moment(due_at)}. Reply on the complaint's page or "
        f"with POST /api/responses."
    )
    return subject, body


def reminder_text(*, complaint_id: str, complainant: str, accused: str, due_at: datetime) -> tuple[str, str]:
    subject = f"Reminder: the reply to complaint {complaint_id} is due by {format_moment(due_at)}"
    body = (
        f"No reply of {accused} to complaint {complaint_id} (filed by {complainant}) is on record, and the "
        f"reply window closes at {format_moment(due_at)}, in less than {REMINDER_LEAD.days} day."
    )
    return subject, body
