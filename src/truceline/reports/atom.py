"""The Atom feed (RFC 4287) of published findings, with tag URIs (RFC 4151) that never change."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from truceline.cases.findings import list_published_findings
from truceline.db.versions import base_id
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Action, Principal, can

# RFC 4151 §2.1: a tag names an authority and a date on which it held that name; the date is fixed so that
# the ids of the feed and its entries never change.
TAG_DATE = "2025"
# XML 1.0 §2.2: characters a document may not contain, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NOT_DNS = re.compile(r"[^a-z0-9.-]")


def xml_text(text: str) -> str:
    """Text an XML document may hold (escaping is the template's job; this drops what XML forbids)."""
    return _NOT_XML.sub("", text)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: str  # a tag URI (RFC 4151), stable across versions of the finding
    finding_id: str
    title: str
    updated: str  # RFC 3339
    summary: str
    verdict: str
    verdict_label: str


@dataclass(frozen=True, slots=True)
class FindingsFeed:
    id: str
    title: str
    subtitle: str
    author: str
    updated: str
    entries: list[FeedEntry]


def tag_prefix(origin: str) -> str:
    """ "tag:<authority>,<date>:<path>" from the log origin ("truceline.local/af-pk-2025")."""
    authority, _, path = origin.partition("/")
    authority = _NOT_DNS.sub("", authority.lower()).strip(".-") or "truceline.local"
    return f"tag:{authority},{TAG_DATE}:{quote(path.strip('/'), safe='/-._~')}"


def verdict_label(verdict: str) -> str:
    return verdict.replace("_", " ").capitalize()


def _party_name(scenario: Scenario, party_id: str) -> str:
    return next((p.short_name for p in scenario.parties if p.id == party_id), party_id)


def finding_title(scenario: Scenario, finding: Any) -> str:
    """ "Violation confirmed: Pakistan (case case-1)"; without a responsible party, just the verdict."""
    label = verdict_label(finding.verdict)
    who = f": {_party_name(scenario, finding.responsible_party)}" if finding.responsible_party else ""
    return f"{label}{who} (case {base_id(finding.case_id)})"


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def findings_feed(
    session: Session, scenario: Scenario, principal: Principal, *, origin: str, now: datetime
) -> FindingsFeed:
    """Every published finding the principal may read (everyone may read them all), newest first."""
    prefix = tag_prefix(origin)
    published = [f for f in list_published_findings(session) if can(principal, Action.READ_FINDING, f)]
    entries = [
        FeedEntry(
            id=f"{prefix}/findings/{quote(base_id(f.id), safe='-._~')}",
            finding_id=base_id(f.id),
            title=xml_text(finding_title(scenario, f)),
            updated=_rfc3339(f.created_at),
            summary=xml_text(f.rationale),
            verdict=xml_text(f.verdict),
            verdict_label=xml_text(verdict_label(f.verdict)),
        )
        for f in published
    ]
    latest = max((f.created_at for f in published), default=now)
    return FindingsFeed(
        id=f"{prefix}/findings",
        title=xml_text(f"Published findings · {scenario.name}"),
        subtitle="Ceasefire violations the mediators confirmed, did not confirm, or found inconclusive.",
        author=xml_text(", ".join(m.name for m in scenario.mediators) or "Truceline"),
        updated=_rfc3339(latest),
        entries=entries,
    )
