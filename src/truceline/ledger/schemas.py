"""Ledger shapes at the edges (API): the public entry, checkpoints and proofs (hashes in base64)."""

from __future__ import annotations

from pydantic import BaseModel


class EntryRead(BaseModel):
    seq: int
    kind: str
    record_id: str
    author: str
    time: str
    commitment: str
    leaf_hash: str


class EntryPage(BaseModel):
    total: int
    items: list[EntryRead]


class CheckpointRead(BaseModel):
    size: int
    root_hash: str
    note: str
    cosigners: list[str]


class InclusionProofRead(BaseModel):
    seq: int
    size: int
    leaf_hash: str
    root_hash: str
    proof: list[str]


class ConsistencyProofRead(BaseModel):
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str]


class RecordProofRead(BaseModel):
    """A record's ledger entry and the proof that the published checkpoint includes it (hashes in hex)."""

    entry: EntryRead
    checkpoint_size: int | None
    root_hash: str | None
    audit_path: list[str]
    is_included: bool
    is_proven: bool
    inclusion_url: str | None


class VerificationDataRead(BaseModel):
    """What a browser needs to check an entry against the signed checkpoint by itself (docs/ledger.md §12).

    Nothing here is a verdict: the checker parses the note, checks its signature with `log_key`, hashes
    `entry` and walks `proof` to the root the note signs. Binary values are standard base64."""

    log_key: str
    checkpoint: str
    checkpoint_time: str | None
    tree_size: int
    seq: int | None
    entry: str | None
    proof: list[str]
