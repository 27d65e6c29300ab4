"""Document use cases: store once by content hash, read back; flush, never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from truceline.documents.models import Document
from truceline.errors import NotFound
from truceline.ledger.service import add_record
from truceline.pipeline.document import SourceDocument


def find_by_hash(session: Session, content_hash: str) -> Document | None:
    return session.scalars(select(Document).where(Document.content_hash == content_hash)).first()


def get_document(session: Session, document_id: str) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound("document", document_id)
    return document


def list_documents(session: Session, *, limit: int = 50, offset: int = 0) -> list[Document]:
    # Newest first; (published, id) both descending so the index on them answers it without sorting.
    query = (
        select(Document).order_by(Document.published.desc(), Document.id.desc()).limit(limit).offset(offset)
    )
    return list(session.scalars(query))


def count_documents(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Document)) or 0


def create_document(session: Session, doc: SourceDocument, *, author: str, now: datetime) -> Document:
    """Store a new document with its ledger entry (the caller checked it is not there yet)."""
    document_id = doc.id
    if session.get(Document, document_id) is not None:
        # Same id, different content: keep both, the later one under an id that names its content.
        document_id = f"{doc.id}-{doc.content_hash[:8]}"
    document = Document(
        id=document_id,
        created_at=now,
        created_by=author,
        supersedes_id=None,
        source_id=None,
        url=doc.url,
        outlet=doc.outlet,
        published=doc.published,
        title=doc.title,
        text=doc.text,
        language=doc.language,
        content_hash=doc.content_hash,
    )
    add_record(session, document, author=author, now=now)
    return document


def to_source_document(document: Document) -> SourceDocument:
    return SourceDocument(
        id=document.id,
        text=document.text,
        published=document.published,
        title=document.title,
        url=document.url,
        outlet=document.outlet,
        language=document.language,
    )
