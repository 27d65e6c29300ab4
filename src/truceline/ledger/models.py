"""Ledger tables: entries, signed checkpoints, witness cosignatures. Append-only: no UPDATE or DELETE."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from truceline.db.base import Base


class LedgerEntryRow(Base):
    """One log entry. `salt` stays private to the secretariat; the other fields are the public entry."""

    __tablename__ = "ledger_entries"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(80), index=True)
    author: Mapped[str] = mapped_column(String(120))
    time: Mapped[str] = mapped_column(String(40))
    commitment: Mapped[str] = mapped_column(String(64))
    salt: Mapped[str] = mapped_column(String(64))
    leaf_hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[dict[str, Any] | None]


class CheckpointRow(Base):
    """A signed tree head as a C2SP signed note; `size` repeats the note's size for lookups."""

    __tablename__ = "ledger_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    size: Mapped[int] = mapped_column(index=True)
    note: Mapped[str] = mapped_column(Text)


class CosignatureRow(Base):
    """A witness's tlog-cosignature line on a checkpoint."""

    __tablename__ = "ledger_cosignatures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("ledger_checkpoints.id"), index=True)
    witness: Mapped[str] = mapped_column(String(120))
    line: Mapped[str] = mapped_column(Text)
