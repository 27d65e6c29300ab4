"""Re-extraction: run the current extractor over stored documents; new claims supersede the old ones.

The desk is counted from claims, so an improved extractor must reach documents already stored, without
losing history: every old claim stays in the ledger, its successor names it in `supersedes_id`, and an old
claim the new extractor no longer finds is withdrawn by a review (decision `rejected`, the reason in the
note). Claims an analyst has reviewed, and their corrections, are human decisions: re-extraction leaves
them alone and stores no machine claim over them.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.claims.models import Claim, ClaimReview
from truceline.claims.rules import Decision
from truceline.claims.service import create_claim
from truceline.documents import service as documents
from truceline.documents.models import Document
from truceline.ledger.service import add_record, batched_appends
from truceline.pipeline.claims import ClaimValue
from truceline.pipeline.document import SourceDocument

Extract = Callable[[SourceDocument, date], list[ClaimValue]]  # the date: today, for undated documents
_ROUND = re.compile(r"-x(\d+)-c\d+$")
_MATCH_DAYS = 2  # an old and a new claim of one document describe one happening within this many days


@dataclass
class ReextractResult:
    documents: list[str] = field(default_factory=list)  # documents whose claims changed
    unchanged: list[str] = field(default_factory=list)  # already extracted by this extractor
    created: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)


def reextract_documents(
    session: Session,
    *,
    extract: Extract,
    extractor: str,
    author: str,
    now: datetime,
    document_ids: Iterable[str] | None = None,
) -> ReextractResult:
    """Re-extract the documents named (all stored ones when None) with `extract`, whose claims carry
    `extractor` ('name/version'). Idempotent: a document whose machine claims all come from `extractor`
    already is left alone."""
    plan = plan_reextraction(session, extractor=extractor, document_ids=document_ids)
    result = ReextractResult(unchanged=plan.unchanged)
    extracted = ((doc.id, extract(doc, now.date())) for doc in iter_source_documents(session, plan.stale))
    store_reextracted(session, extracted, extractor=extractor, author=author, now=now, result=result)
    return result


@dataclass(frozen=True)
class ReextractPlan:
    stale: list[str]  # documents to extract again, in order
    unchanged: list[str]  # already extracted by this extractor


def plan_reextraction(
    session: Session, *, extractor: str, document_ids: Iterable[str] | None = None
) -> ReextractPlan:
    """Which of the documents named (all stored ones when None) `extractor` must see again; reads only.
    Raises NotFound for a document that is not stored."""
    if document_ids is None:
        ids = list(session.scalars(select(Document.id).order_by(Document.id)))
    else:
        ids = list(dict.fromkeys(document_ids))
        for document_id in ids:
            documents.get_document(session, document_id)  # NotFound before anything is written
    plan = ReextractPlan(stale=[], unchanged=[])
    for document_id in ids:
        rows = _claims_of(session, document_id)
        machine = rows.machine
        if (
            rows.all
            and all(r.extractor == extractor for r in machine)
            and any(r.extractor == extractor for r in rows.all)
        ):
            plan.unchanged.append(document_id)
        else:
            plan.stale.append(document_id)
    return plan


def iter_source_documents(session: Session, document_ids: Iterable[str]) -> Iterator[SourceDocument]:
    """The stored documents as the pipeline reads them, one at a time (a corpus need not fit in memory)."""
    for document_id in document_ids:
        yield documents.to_source_document(documents.get_document(session, document_id))


def store_reextracted(
    session: Session,
    extracted: Iterable[tuple[str, Sequence[ClaimValue]]],
    *,
    extractor: str,
    author: str,
    now: datetime,
    result: ReextractResult,
) -> None:
    """Store each (document id, claims `extractor` found in it now): new claims supersede the old, and old
    machine claims no longer found are withdrawn. The documents come from `plan_reextraction`; the claims
    from `extract` here or from Dask workers (`truceline.intake.distributed`) alike."""
    with batched_appends(session):
        for document_id, values in extracted:
            _store_one(
                session, document_id, values, extractor=extractor, author=author, now=now, result=result
            )


@dataclass(frozen=True)
class _Claims:
    all: list[Claim]  # every claim of the document, by id
    human: set[str]  # reviewed by an analyst, or an analyst's correction
    superseded: set[str]

    @property
    def machine(self) -> list[Claim]:
        """The current machine claims: what a new extraction replaces."""
        return [r for r in self.all if r.id not in self.superseded and r.id not in self.human]


def _claims_of(session: Session, document_id: str) -> _Claims:
    rows = list(session.scalars(select(Claim).where(Claim.document_id == document_id).order_by(Claim.id)))
    reviewed = set(
        session.scalars(select(ClaimReview.claim_id).where(ClaimReview.claim_id.in_([r.id for r in rows])))
    )
    superseded = {r.supersedes_id for r in rows if r.supersedes_id}
    human = reviewed | {r.id for r in rows if r.extractor.startswith("review/")}
    return _Claims(all=rows, human=human, superseded=superseded)


def _store_one(
    session: Session,
    document_id: str,
    values: Sequence[ClaimValue],
    *,
    extractor: str,
    author: str,
    now: datetime,
    result: ReextractResult,
) -> None:
    rows = _claims_of(session, document_id)
    machine = rows.machine
    decided = [r for r in rows.all if r.id in rows.human and r.id not in rows.superseded]
    values = [v for v in values if not any(_same_happening(v, r) for r in decided)]
    taken: set[str] = set()
    round_ = 1 + max((int(m.group(1)) for r in rows.all if (m := _ROUND.search(r.id))), default=1)
    for n, value in enumerate(values, start=1):
        old = next((r for r in machine if r.id not in taken and _same_happening(value, r)), None)
        new_id = f"{document_id}-x{round_}-c{n}"
        stored = create_claim(
            session,
            dataclasses.replace(value, id=new_id),
            author=author,
            now=now,
            supersedes_id=old.id if old is not None else None,
            source_id=old.source_id if old is not None else None,
        )
        result.created.append(stored.id)
        if old is not None:
            taken.add(old.id)
            result.superseded.append(old.id)
    for row in machine:
        if row.id in taken:
            continue
        review = ClaimReview(
            id=f"rev-{uuid.uuid4().hex[:16]}",
            created_at=now,
            created_by=author,
            supersedes_id=None,
            claim_id=row.id,
            decision=Decision.REJECTED.value,
            note=f"withdrawn by re-extraction: {extractor} no longer finds this happening in the document",
            correction_id=None,
        )
        add_record(session, review, author=author, now=now)
        result.withdrawn.append(row.id)
    result.documents.append(document_id)


def _same_happening(value: ClaimValue, row: Claim) -> bool:
    """Whether a new claim and a stored one describe one happening: same kind, close dates, same place."""
    if _is_process(value.event_type) != _is_process(row.event_type):
        return False
    if _is_process(value.event_type) and value.process_type != row.process_type:
        return False
    if value.event_date and row.event_date and abs((value.event_date - row.event_date).days) > _MATCH_DAYS:
        return False
    old_place = (row.location or {}).get("name")
    return not (value.location.name and old_place and value.location.name != old_place)


def _is_process(event_type: str) -> bool:
    return event_type == "Strategic developments"
