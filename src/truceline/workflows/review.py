"""The review queue: an analyst accepts, rejects or corrects an extracted claim; a correction supersedes."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.claims.models import Claim, ClaimReview
from truceline.claims.rules import Decision, check_correction, correction_id, parse_decision
from truceline.claims.service import create_claim, get_claim, to_claim_value
from truceline.errors import Conflict, InvalidInput
from truceline.ledger.service import add_record
from truceline.pipeline.claims import Fatalities, Location


def review_claim(
    session: Session,
    *,
    claim_id: str,
    decision: str,
    note: str = "",
    changes: dict[str, Any] | None = None,
    author: str,
    now: datetime,
) -> ClaimReview:
    """Record a review; for a correction, first store the corrected claim that supersedes the original."""
    chosen = parse_decision(decision)
    claim = get_claim(session, claim_id)
    if session.scalar(select(ClaimReview.id).where(ClaimReview.claim_id == claim.id).limit(1)) is not None:
        raise Conflict(f"claim {claim.id!r} has already been reviewed; review its correction instead")
    corrected_id = None
    if chosen is Decision.CORRECTED:
        check_correction(changes or {})
        value = _apply(to_claim_value(claim), changes or {}, new_id=_next_correction_id(session, claim.id))
        corrected_id = create_claim(session, value, author=author, now=now, supersedes_id=claim.id).id
    elif changes:
        raise InvalidInput(f"changes: only a '{Decision.CORRECTED}' review may change fields")
    review = ClaimReview(
        id=f"rev-{uuid.uuid4().hex[:16]}",
        created_at=now,
        created_by=author,
        supersedes_id=None,
        claim_id=claim.id,
        decision=chosen.value,
        note=note,
        correction_id=corrected_id,
    )
    add_record(session, review, author=author, now=now)
    return review


def _next_correction_id(session: Session, claim_id: str) -> str:
    n = 1
    while session.get(Claim, correction_id(claim_id, n)) is not None:
        n += 1
    return correction_id(claim_id, n)


def _apply(value: Any, changes: dict[str, Any], *, new_id: str) -> Any:
    fields: dict[str, Any] = {"id": new_id, "extractor": f"review/{value.extractor}"}
    for name, raw in changes.items():
        if name == "location":
            fields[name] = Location.from_json({**value.location.to_json(), **dict(raw)})
        elif name == "fatalities":
            fields[name] = Fatalities.from_json({**value.fatalities.to_json(), **dict(raw)})
        elif name == "event_date":
            fields[name] = _parse_date(raw)
        else:
            fields[name] = raw
    return dataclasses.replace(value, **fields)


def _parse_date(raw: Any) -> date | None:
    if raw is None or isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput(f"event_date: expected a date YYYY-MM-DD, found {raw!r}") from None
