"""The timeline: incidents, talks rounds, ceasefire steps and findings, newest first."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from typing import Any, overload

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.cases.models import Finding
from truceline.cases.rules import FindingStatus
from truceline.db.versions import base_id, latest_of
from truceline.ledger.service import recorded_by
from truceline.scenarios.schema import Scenario
from truceline.talks.models import TalksRound
from truceline.users.rules import Action, Principal, Scope, scopes_for
from truceline.views.incidents import ADOPTED, IncidentPoint, incident_points, ledger_head
from truceline.wording import responsible_words, verdict_words


@dataclass(frozen=True, slots=True)
class TimelineItem:
    day: date
    kind: str
    title: str
    url: str | None
    detail: str


class TimelineItems(Sequence[TimelineItem]):
    """A timeline, newest first. An incident's item is made from its index point when it is read: a kept
    timeline of every incident (~400k at 1M claims) would otherwise hold a second copy of the index's text."""

    __slots__ = ("_entries",)

    def __init__(self, entries: list[TimelineItem | IncidentPoint]) -> None:
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> TimelineItem: ...

    @overload
    def __getitem__(self, index: slice) -> list[TimelineItem]: ...

    def __getitem__(self, index: int | slice) -> TimelineItem | list[TimelineItem]:
        if isinstance(index, slice):
            return [_item_of(entry) for entry in self._entries[index]]
        return _item_of(self._entries[index])

    def __iter__(self) -> Iterator[TimelineItem]:
        return map(_item_of, self._entries)


def timeline(
    session: Session,
    scenario: Scenario,
    principal: Principal,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    as_of: datetime | None = None,
) -> TimelineItems:
    """Incidents, talks rounds, ceasefire steps and findings the principal may see, newest first; with
    `as_of`, as the record stood then (a finding with the status it had). Kept per ledger head, role and
    window (sorting ~200k items takes ~180 ms at 500k claims); the list is shared: read, never change it."""
    key = (str(session.get_bind().engine.url), scenario.id, principal.role, date_from, date_to, as_of)
    head = ledger_head(session)
    with _items_lock:
        found = _timelines.get(key)
    if found is not None and found[0] == head:
        return found[1]
    result = _timeline(session, scenario, principal, date_from=date_from, date_to=date_to, as_of=as_of)
    with _items_lock:
        if len(_timelines) >= MAX_TIMELINES:
            _timelines.clear()
        _timelines[key] = (head, result)
    return result


_items_lock = threading.Lock()
_timelines: dict[tuple[Any, ...], tuple[tuple[int, str], TimelineItems]] = {}
MAX_TIMELINES = 32


def _timeline(
    session: Session,
    scenario: Scenario,
    principal: Principal,
    *,
    date_from: date | None,
    date_to: date | None,
    as_of: datetime | None,
) -> TimelineItems:
    items: list[TimelineItem] = []
    if scenario.ceasefire is not None:
        items.append(TimelineItem(scenario.ceasefire.start, "ceasefire", "Ceasefire takes effect", None, ""))
    for talks in session.execute(
        select(TalksRound.name, TalksRound.place, TalksRound.start_date, TalksRound.outcome).where(
            recorded_by(TalksRound, as_of)
        )
    ):
        items.append(
            TimelineItem(talks.start_date, "talks", talks.name, None, f"{talks.place}. {talks.outcome}")
        )
    items.extend(_finding_items(session, scenario, principal, as_of=as_of))

    def is_shown(day: date) -> bool:
        return (date_from is None or day >= date_from) and (date_to is None or day <= date_to)

    entries: list[TimelineItem | IncidentPoint] = []
    if scopes_for(principal.role, Action.READ_INCIDENT):
        points = incident_points(session, scenario, principal, as_of=as_of)
        entries.extend(_newest_first([p for p in points if p.date_start and is_shown(p.date_start)]))
    for item in sorted((i for i in items if is_shown(i.day)), key=_order):
        _insert_newest_first(entries, item)
    return TimelineItems(entries)


def _newest_first(points: list[IncidentPoint]) -> list[IncidentPoint]:
    """Dated points in the timeline's order. They come newest first by day, so only each day's are sorted:
    a sort of all at once would make a key with its title for every point (at 1M claims ~400k titles, made
    when read, and ~60 MB at once)."""
    ordered: list[IncidentPoint] = []
    for _, same_day in groupby(points, key=_day_of):
        ordered.extend(sorted(same_day, key=_order, reverse=True))
    return ordered


def _insert_newest_first(entries: list[TimelineItem | IncidentPoint], item: TimelineItem) -> None:
    """After every entry that comes before it newest first (a binary search: entries is in that order)."""
    key = _order(item)
    low, high = 0, len(entries)
    while low < high:
        middle = (low + high) // 2
        if _order(entries[middle]) >= key:
            low = middle + 1
        else:
            high = middle
    entries.insert(low, item)


def _day_of(point: IncidentPoint) -> date | None:
    return point.date_start


def _order(entry: TimelineItem | IncidentPoint) -> tuple[date, str, str]:
    """(day, kind, title): the timeline's order, oldest first."""
    if isinstance(entry, TimelineItem):
        return (entry.day, entry.kind, entry.title)
    return (entry.date_start or date.min, _incident_kind(entry), entry.title)


def _incident_kind(point: IncidentPoint) -> str:
    return "ceasefire" if point.process_type in ("ceasefire_agreed", "ceasefire_collapsed") else "incident"


def _item_of(entry: TimelineItem | IncidentPoint) -> TimelineItem:
    if isinstance(entry, TimelineItem):
        return entry
    detail = ", ".join(x for x in (entry.place, entry.event_type, _status_label(entry.status)) if x)
    return TimelineItem(
        entry.date_start or date.min, _incident_kind(entry), entry.title, f"/incidents/{entry.id}", detail
    )


def _status_label(status: str) -> str:
    return "" if status == "reported" else status.replace("_", " ")


def _finding_items(
    session: Session, scenario: Scenario, principal: Principal, *, as_of: datetime | None
) -> list[TimelineItem]:
    scopes = scopes_for(principal.role, Action.READ_FINDING)
    if not scopes & {Scope.ANY, Scope.PUBLISHED}:
        return []
    rows = session.execute(
        select(
            Finding.id,
            Finding.case_id,
            Finding.status,
            Finding.verdict,
            Finding.responsible_party,
            Finding.responsibility,
            Finding.created_at,
        ).where(recorded_by(Finding, as_of))
    ).all()
    items = []
    for finding in latest_of(rows).values():
        visible = finding.status == FindingStatus.PUBLISHED.value or (
            Scope.ANY in scopes and finding.status in ADOPTED
        )
        if not visible:
            continue
        who = responsible_words(scenario, finding.responsible_party, finding.responsibility)
        items.append(
            TimelineItem(
                finding.created_at.date(),
                "finding",
                f"Finding: {verdict_words(finding.verdict)}" + (f" — {who}" if who else ""),
                f"/findings/{base_id(finding.id)}",
                f"case {base_id(finding.case_id)}, {finding.status}",
            )
        )
    return items
