"""Declarative base and the column types every table shares, portable across SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, MetaData, String, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC: SQLite keeps no zone, and commitments need one form."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"expected a timezone-aware datetime, got naive {value!r}")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class Record(Base):
    """A ledgered record: created once with its ledger entry, never edited; corrections supersede it."""

    __abstract__ = True

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))
    supersedes_id: Mapped[str | None] = mapped_column(String(80), default=None)

    # The ledger holds exactly one entry per record id: a record is never rewritten. A change is a new record
    # with its own id naming its predecessor in `supersedes_id`; a state change of a long-lived thing (a user
    # disabled, a token revoked) is an event record naming its subject. Such a kind declares
    # (column, subject kind) here, and verification requires the subject to be logged before the event.
    ledger_subject: ClassVar[tuple[str, str] | None] = None

    def __init__(self, **values: Any) -> None:
        """Set the columns given. A record is built once and never changed, so the values go straight into
        the instance (the ORM's attribute events, which track changes, cost most of an append); a name
        that is not a column is refused as the ORM's own constructor refuses it."""
        unknown = values.keys() - _column_keys(type(self))
        if unknown:
            raise TypeError(
                f"{sorted(unknown)[0]!r} is an invalid keyword argument for {type(self).__name__}"
            )
        self.__dict__.update(values)

    @classmethod
    def ledger_kind(cls) -> str:
        return str(cls.__tablename__)


@cache
def _column_keys(model: type[Record]) -> frozenset[str]:
    return frozenset(attr.key for attr in inspect(model).column_attrs)
