"""Ingest: store each new document once (by content hash) with its ledger entry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from truceline.documents import service as documents
from truceline.pipeline.document import SourceDocument


@dataclass
class IngestResult:
    added: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)


def ingest_documents(
    session: Session, docs: Iterable[SourceDocument], *, author: str, now: datetime
) -> IngestResult:
    """Add the documents not seen before; a document already stored (same content hash) is left alone."""
    result = IngestResult()
    for doc in docs:
        existing = documents.find_by_hash(session, doc.content_hash)
        if existing is not None:
            result.existing.append(existing.id)
            continue
        result.added.append(documents.create_document(session, doc, author=author, now=now).id)
    return result
