"""Notified activities: a party's advance notice of a permitted activity, and the claims inside one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.cases.models import Notification
from truceline.cases.rules import NotificationKind, check_area, is_in_area, is_in_window, parse_choice
from truceline.cases.schemas import NotificationCreate
from truceline.db.versions import new_id
from truceline.errors import InvalidInput
from truceline.ledger.service import add_record
from truceline.users.rules import Action, Principal, require


def file_notification(
    session: Session, *, principal: Principal, notification_in: NotificationCreate, now: datetime
) -> Notification:
    """A party's advance notice of a permitted activity in an area and time window."""
    kind = parse_choice(NotificationKind, "kind", notification_in.kind)
    check_area(notification_in.area)
    starts, ends = notification_in.starts_at, notification_in.ends_at
    if starts.tzinfo is None or ends.tzinfo is None:
        raise InvalidInput("starts_at and ends_at must carry a time zone (use UTC)")
    if ends <= starts:
        raise InvalidInput(f"ends_at {ends.isoformat()} must come after starts_at {starts.isoformat()}")
    notification = Notification(
        id=new_id("ntf"),
        created_at=now,
        created_by=principal.username,
        supersedes_id=None,
        party=principal.party or "",
        kind=kind,
        area=dict(notification_in.area),
        starts_at=starts,
        ends_at=ends,
        description=notification_in.description,
    )
    require(principal, Action.FILE_NOTIFICATION, notification)
    add_record(session, notification, author=principal.username, now=now)
    return notification


@dataclass(frozen=True, slots=True)
class FlaggedClaim:
    """A claim that falls inside a notified activity: to be reviewed, not counted as a violation."""

    claim: object
    notification: Notification


def claims_in_notified_activities(session: Session, claims: Iterable[object]) -> list[FlaggedClaim]:
    """Each claim whose position and day fall inside some notification, with that notification.

    A claim is a database `Claim` or a pipeline claim value: it needs `event_date` and a `location`
    (a mapping or an object) with `lat` and `lon`. Claims without a date or position are never flagged.
    """
    notices = list(session.scalars(select(Notification).order_by(Notification.starts_at, Notification.id)))
    flagged: list[FlaggedClaim] = []
    for claim in claims:
        day = getattr(claim, "event_date", None)
        lat, lon = _position(getattr(claim, "location", None))
        if not isinstance(day, date) or lat is None or lon is None:
            continue
        for notice in notices:
            if is_in_window(day, starts_at=notice.starts_at, ends_at=notice.ends_at) and is_in_area(
                notice.area, lat=lat, lon=lon
            ):
                flagged.append(FlaggedClaim(claim=claim, notification=notice))
                break
    return flagged


def _position(location: object) -> tuple[float | None, float | None]:
    if location is None:
        return None, None
    if isinstance(location, dict):
        lat, lon = location.get("lat"), location.get("lon")
    else:
        lat, lon = getattr(location, "lat", None), getattr(location, "lon", None)
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        return float(lat), float(lon)
    return None, None
