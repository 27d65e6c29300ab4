"""Document table."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from truceline.db.base import Record


class Document(Record):
    """One ingested report; `content_hash` makes ingest idempotent."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_published_id", "published", "id"),)

    source_id: Mapped[str | None] = mapped_column(ForeignKey("sources.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    outlet: Mapped[str] = mapped_column(String(200))
    published: Mapped[date | None]
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
