"""Versioned records, for every kind: ids, the latest version, every version, the next version.

Records are never edited: a record that changes (a case, a finding, an evidence item, an alert rule) is a
new row whose `supersedes_id` names the previous one. All versions share a base id ("case-1a2b3c4d5e6f");
version n > 1 is "<base>.v<n>". Records that point at a versioned record name its base id, so they follow
it across versions. This module is the one place that knows the spelling; it imports no domain.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.errors import InvalidInput, NotFound

_VERSION = re.compile(r"^(?P<base>.+?)(?:\.v(?P<n>[2-9]|[1-9]\d+))?$")


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


H = TypeVar("H", bound=_HasId)
R = TypeVar("R")


def new_id(prefix: str, hex_chars: int = 12) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:hex_chars]}"


def base_id(record_id: str) -> str:
    """The id shared by every version: "case-x.v3" -> "case-x"."""
    match = _VERSION.match(record_id)
    return match.group("base") if match else record_id


def version_of(record_id: str) -> int:
    match = _VERSION.match(record_id)
    return int(match.group("n")) if match and match.group("n") else 1


def version_id(base: str, version: int) -> str:
    if version < 1:
        raise InvalidInput(f"version: expected 1 or more, got {version}")
    return base if version == 1 else f"{base}.v{version}"


def next_version_id(record_id: str) -> str:
    return version_id(base_id(record_id), version_of(record_id) + 1)


def latest_of(rows: Iterable[H]) -> dict[str, H]:
    """base id -> the newest of the given rows (records or result rows with an `id`)."""
    latest: dict[str, H] = {}
    for row in rows:
        key = base_id(row.id)
        if key not in latest or version_of(row.id) > version_of(latest[key].id):
            latest[key] = row
    return latest


def _versions_query(model: Any, record_id: str) -> Any:
    base = base_id(record_id)
    return select(model).where((model.id == base) | model.id.startswith(f"{base}.v", autoescape=True))


def list_versions(session: Session, model: type[R], record_id: str) -> list[R]:
    """Every version of a record, oldest first."""
    return sorted(session.scalars(_versions_query(model, record_id)), key=lambda r: version_of(r.id))


def latest_version(session: Session, model: type[R], record_id: str, kind: str) -> R:
    """The newest version of a versioned record, given any of its version ids; NotFound names `kind`."""
    rows = list_versions(session, model, record_id)
    if not rows:
        raise NotFound(kind, record_id)
    return rows[-1]


def copy_version(record: R, *, author: str, now: datetime, **changes: Any) -> R:
    """The next version of a record: every column copied, `changes` applied, superseding `record`."""
    mapper = type(record).__mapper__  # type: ignore[attr-defined]
    columns = {attr.key: getattr(record, attr.key) for attr in mapper.column_attrs}
    columns.update(changes)
    rid = record.id  # type: ignore[attr-defined]
    columns.update(id=next_version_id(rid), created_at=now, created_by=author, supersedes_id=rid)
    return type(record)(**columns)
