"""Versioned records: fresh ids, the latest version of a base id, every version, the next version."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.cases.models import Case, Evidence, Finding
from truceline.cases.rules import base_id, next_version_id, version_of
from truceline.errors import NotFound

R = TypeVar("R", Case, Finding, Evidence)


def new_id(prefix: str, hex_chars: int = 12) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:hex_chars]}"


def latest_version(session: Session, model: type[R], record_id: str, kind: str) -> R:
    """The newest version of a versioned record, given any of its version ids."""
    base = base_id(record_id)
    rows = list(
        session.scalars(
            select(model).where((model.id == base) | model.id.startswith(f"{base}.v", autoescape=True))
        )
    )
    if not rows:
        raise NotFound(kind, record_id)
    return max(rows, key=lambda row: version_of(row.id))


def copy_version(record: R, *, author: str, now: datetime, **changes: Any) -> R:
    """The next version of a record: every column copied, `changes` applied, superseding `record`."""
    columns = {attr.key: getattr(record, attr.key) for attr in type(record).__mapper__.column_attrs}
    columns.update(changes)
    columns.update(id=next_version_id(record.id), created_at=now, created_by=author, supersedes_id=record.id)
    return type(record)(**columns)


def list_versions(session: Session, model: type[R], record_id: str) -> list[R]:
    base = base_id(record_id)
    query = select(model).where((model.id == base) | model.id.startswith(f"{base}.v", autoescape=True))
    return sorted(session.scalars(query), key=lambda r: version_of(r.id))
