"""Record exports: every column of a record kind as JSON values, in a stable order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.ledger.service import record_content
from truceline.records import record_model

EXPORT_KINDS = frozenset({"documents", "claims", "incidents", "talks_rounds", "sources"})


def iter_records(session: Session, *, kind: str) -> Iterator[dict[str, Any]]:
    model = record_model(kind)
    for record in session.scalars(select(model).order_by(model.id).execution_options(yield_per=500)):
        yield record_content(record)
