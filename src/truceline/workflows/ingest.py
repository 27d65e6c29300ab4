"""Ingest: store each new document once (by content hash) with its ledger entry, and its extracted claims."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.claims.service import create_claim
from truceline.documents import service as documents
from truceline.documents.models import Document
from truceline.ledger.service import batched_appends
from truceline.pipeline.claims import ClaimValue
from truceline.pipeline.document import SourceDocument

Extract = Callable[[SourceDocument, date], list[ClaimValue]]  # the date: today, for undated documents
HASHES_PER_QUERY = 500  # bounded IN lists on both databases


@dataclass
class IngestResult:
    added: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)

    def extend(self, other: IngestResult) -> None:
        """Add the outcome of a later batch of the same intake."""
        self.added.extend(other.added)
        self.existing.extend(other.existing)
        self.claims.extend(other.claims)


def ingest_documents(
    session: Session,
    docs: Iterable[SourceDocument],
    *,
    author: str,
    now: datetime,
    extract: Extract | None = None,
) -> IngestResult:
    """Add the documents not seen before, each with the claims `extract` finds in it.

    A document already stored (same content hash) is left alone, so ingest is idempotent. The ledger
    entries are appended in batches (`batched_appends`).
    """
    result = IngestResult()
    with batched_appends(session):
        for doc in docs:
            stored = _store_new_document(session, doc, author=author, now=now, result=result)
            if stored is not None and extract is not None:
                values = extract(documents.to_source_document(stored), now.date())
                _store_claims(session, values, author=author, now=now, result=result)
    return result


def ingest_extracted(
    session: Session,
    extracted: Iterable[tuple[SourceDocument, Sequence[ClaimValue]]],
    *,
    author: str,
    now: datetime,
) -> IngestResult:
    """Add the documents not seen before with the claims extracted elsewhere (on Dask workers) from each
    document as read; what `ingest_documents` stores given the same extractor.

    The claims of a document already stored are ignored. A new document whose id is taken by another
    content is stored under a longer id (`create_document`), and its claims' ids follow it, as they would
    had they been extracted from the stored document."""
    result = IngestResult()
    with batched_appends(session):
        for doc, values in extracted:
            stored = _store_new_document(session, doc, author=author, now=now, result=result)
            if stored is not None:
                moved = [_moved_to(value, old_id=doc.id, new_id=stored.id) for value in values]
                _store_claims(session, moved, author=author, now=now, result=result)
    return result


def list_new_documents(session: Session, docs: Sequence[SourceDocument]) -> list[SourceDocument]:
    """The documents whose content is not stored yet, the first of each content only, in order: the ones
    worth extracting before `ingest_extracted` (which checks again as it writes)."""
    hashes = list(dict.fromkeys(doc.content_hash for doc in docs))
    stored: set[str] = set()
    for start in range(0, len(hashes), HASHES_PER_QUERY):
        chunk = hashes[start : start + HASHES_PER_QUERY]
        stored.update(session.scalars(select(Document.content_hash).where(Document.content_hash.in_(chunk))))
    new: list[SourceDocument] = []
    for doc in docs:
        if doc.content_hash not in stored:
            stored.add(doc.content_hash)
            new.append(doc)
    return new


def pair_with_claims(
    docs: Iterable[SourceDocument], *, new: Sequence[SourceDocument], found: Iterable[Sequence[ClaimValue]]
) -> Iterator[tuple[SourceDocument, Sequence[ClaimValue]]]:
    """Each of `docs` with its claims, for `ingest_extracted`: `found` gives one list per document of `new`
    (`list_new_documents(docs)`), in order; the other documents are stored already and get none."""
    is_new = {id(doc) for doc in new}
    claims = iter(found)
    for doc in docs:
        yield doc, next(claims) if id(doc) in is_new else []


def _store_new_document(
    session: Session, doc: SourceDocument, *, author: str, now: datetime, result: IngestResult
) -> Document | None:
    """The stored document when `doc` is new; None (and its id among the existing) when it is not."""
    existing = documents.find_by_hash(session, doc.content_hash)
    if existing is not None:
        result.existing.append(existing.id)
        return None
    stored = documents.create_document(session, doc, author=author, now=now)
    result.added.append(stored.id)
    return stored


def _store_claims(
    session: Session, values: Iterable[ClaimValue], *, author: str, now: datetime, result: IngestResult
) -> None:
    for value in values:
        result.claims.append(create_claim(session, value, author=author, now=now).id)


def _moved_to(value: ClaimValue, *, old_id: str, new_id: str) -> ClaimValue:
    """The claim as extracted from the document under `new_id`: claim ids are `<document id>-c<n>`."""
    if old_id == new_id:
        return value
    claim_id = new_id + value.id[len(old_id) :] if value.id.startswith(old_id) else value.id
    return dataclasses.replace(value, id=claim_id, document_id=new_id)
