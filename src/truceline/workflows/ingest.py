"""Ingest: store each new document once (by content hash) with its ledger entry, and its extracted claims."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from truceline.claims.service import create_claim
from truceline.documents import service as documents
from truceline.ledger.service import batched_appends
from truceline.pipeline.claims import Claim as ClaimValue
from truceline.pipeline.document import SourceDocument

Extract = Callable[[SourceDocument, date], list[ClaimValue]]  # the date: today, for undated documents


@dataclass
class IngestResult:
    added: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)


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
            existing = documents.find_by_hash(session, doc.content_hash)
            if existing is not None:
                result.existing.append(existing.id)
                continue
            stored = documents.create_document(session, doc, author=author, now=now)
            result.added.append(stored.id)
            if extract is not None:
                for value in extract(documents.to_source_document(stored), now.date()):
                    result.claims.append(create_claim(session, value, author=author, now=now).id)
    return result
