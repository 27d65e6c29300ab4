"""Witnessing the ledger: a party checks each new checkpoint against the last one it cosigned, then cosigns.

The witness side (`WitnessState`, `check_and_cosign`) is pure: it is handed the server's JSON and
answers with a cosignature or a refusal, so it is tested without HTTP; `truceline witness` does the
fetching. The server side (`add_cosignature`) verifies a submitted cosignature against the latest
checkpoint and stores it. Protocol: docs/verification.md, "Witnessing"; formats: C2SP
tlog-checkpoint and tlog-cosignature/v1.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.errors import Conflict, InvalidInput, NotFound, VerificationError
from truceline.ledger import merkle
from truceline.ledger.encoding import format_time
from truceline.ledger.models import CosignatureRow
from truceline.ledger.notes import (
    Checkpoint,
    cosign,
    parse_checkpoint,
    parse_note,
    parse_signature_line,
    verify_cosignature,
    verify_note,
)
from truceline.ledger.service import latest_checkpoint
from truceline.ledger.signing import Signer, Verifier

# A cosignature's own timestamp may run this far ahead of the server's clock.
MAX_COSIGNATURE_SKEW = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class WitnessState:
    """The last checkpoint this witness cosigned: what every later checkpoint must extend."""

    origin: str
    size: int
    root_hash: bytes
    note: str

    def to_json(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "size": self.size,
            "root_hash": base64.b64encode(self.root_hash).decode(),
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WitnessState:
        try:
            state = cls(
                origin=str(data["origin"]),
                size=int(data["size"]),
                root_hash=base64.b64decode(str(data["root_hash"]), validate=True),
                note=str(data["note"]),
            )
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise InvalidInput(f"witness state: expected origin, size, root_hash and note ({exc})") from exc
        checkpoint = parse_checkpoint(parse_note(state.note).body)
        if (checkpoint.origin, checkpoint.size, checkpoint.root_hash) != (
            state.origin,
            state.size,
            state.root_hash,
        ):
            raise InvalidInput("witness state: its fields do not match the checkpoint note it holds")
        return state


@dataclass(frozen=True, slots=True)
class Cosigned:
    """The outcome of a good check: the cosignature line to submit and the state to keep."""

    line: str
    state: WitnessState
    checkpoint: Checkpoint


@dataclass(frozen=True, slots=True)
class SplitViewReport:
    """Two checkpoints, both signed by the log, that cannot both be true: proof the log rewrote history."""

    origin: str
    detected_at: str
    reason: str
    cosigned_checkpoint: str
    new_checkpoint: str
    consistency_proof: Mapping[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "truceline-split-view/v1",
            "origin": self.origin,
            "detected_at": self.detected_at,
            "reason": self.reason,
            "cosigned_checkpoint": self.cosigned_checkpoint,
            "new_checkpoint": self.new_checkpoint,
            "consistency_proof": dict(self.consistency_proof) if self.consistency_proof is not None else None,
        }


class SplitView(VerificationError):
    """The log presented a checkpoint inconsistent with one this witness cosigned; `report` proves it."""

    def __init__(self, report: SplitViewReport) -> None:
        super().__init__(f"split view on {report.origin}: {report.reason}")
        self.report = report


def _b64(text: object, *, what: str) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except (ValueError, binascii.Error) as exc:
        raise InvalidInput(f"{what}: expected base64, got {str(text)[:60]!r}") from exc


def _verified_checkpoint(
    checkpoint_json: Mapping[str, Any], log_verifier: Verifier
) -> tuple[Checkpoint, str]:
    """The checkpoint in the server's JSON, its note verified with the log key, its fields consistent."""
    note = checkpoint_json.get("note")
    if not isinstance(note, str):
        raise InvalidInput("checkpoint: the server's JSON has no signed note")
    signed = verify_note(note, [log_verifier])
    checkpoint = parse_checkpoint(signed.body)
    if checkpoint.origin != log_verifier.name:
        raise VerificationError(
            f"checkpoint origin {checkpoint.origin!r} is not the log {log_verifier.name!r}"
        )
    stated_root = _b64(checkpoint_json.get("root_hash"), what="checkpoint root_hash")
    if checkpoint_json.get("size") != checkpoint.size or stated_root != checkpoint.root_hash:
        raise VerificationError("checkpoint: the JSON size/root_hash disagree with the signed note")
    # Keep only the log's own signature line, so the stored note is exactly what the log signed.
    own = [s for s in signed.signatures if (s.name, s.key_hash) == (log_verifier.name, log_verifier.key_hash)]
    body_only = signed.body + "\n" + "".join(s.line() for s in own)
    return checkpoint, body_only


def check_and_cosign(
    prev_state: WitnessState | None,
    checkpoint_json: Mapping[str, Any],
    proof_json: Mapping[str, Any] | None,
    signer: Signer,
    log_verifier: Verifier,
    now: datetime,
) -> Cosigned:
    """Verify the log's checkpoint, check it extends `prev_state`, and cosign it.

    Raises VerificationError for a bad signature, InvalidInput for malformed JSON, and `SplitView`
    (with both signed checkpoints) when the new checkpoint does not extend the one cosigned before.
    The first checkpoint a witness sees is trusted as it is (trust on first use).
    """
    checkpoint, note = _verified_checkpoint(checkpoint_json, log_verifier)
    if prev_state is not None:
        _check_extends(prev_state, checkpoint, note, proof_json, now)
    line = cosign(checkpoint.body(), signer, int(now.timestamp()))
    state = WitnessState(
        origin=checkpoint.origin, size=checkpoint.size, root_hash=checkpoint.root_hash, note=note
    )
    return Cosigned(line=line, state=state, checkpoint=checkpoint)


def _check_extends(
    prev: WitnessState,
    checkpoint: Checkpoint,
    note: str,
    proof_json: Mapping[str, Any] | None,
    now: datetime,
) -> None:
    def split(reason: str) -> SplitView:
        return SplitView(
            SplitViewReport(
                origin=checkpoint.origin,
                detected_at=format_time(now),
                reason=reason,
                cosigned_checkpoint=prev.note,
                new_checkpoint=note,
                consistency_proof=proof_json,
            )
        )

    if checkpoint.origin != prev.origin:
        raise InvalidInput(
            f"checkpoint is for log {checkpoint.origin!r}; this witness follows {prev.origin!r}"
        )
    if checkpoint.size < prev.size:
        raise split(f"the log shrank from {prev.size} to {checkpoint.size} entries")
    if checkpoint.size == prev.size:
        if checkpoint.root_hash != prev.root_hash:
            raise split(f"two different roots for size {prev.size}")
        return
    if proof_json is None:
        raise InvalidInput(f"a consistency proof from size {prev.size} to {checkpoint.size} is needed")
    if proof_json.get("old_size") != prev.size or proof_json.get("new_size") != checkpoint.size:
        raise InvalidInput(
            f"consistency proof is for sizes {proof_json.get('old_size')}..{proof_json.get('new_size')}, "
            f"expected {prev.size}..{checkpoint.size}"
        )
    proof = proof_json.get("proof")
    if not isinstance(proof, list):
        raise InvalidInput("consistency proof: expected a list of base64 hashes")
    path = [_b64(h, what="consistency proof hash") for h in proof]
    try:
        # The old root is the one this witness cosigned, never the one the server now claims.
        merkle.verify_consistency(
            old_size=prev.size,
            new_size=checkpoint.size,
            old_root=prev.root_hash,
            new_root=checkpoint.root_hash,
            proof=path,
        )
    except VerificationError as exc:
        raise split(
            f"checkpoint of size {checkpoint.size} does not extend the cosigned size {prev.size}: {exc}"
        ) from exc


def split_view_json(report: SplitViewReport) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"


# --- server side -------------------------------------------------------------------------------------


def witness_for_line(line: str, witnesses: Mapping[str, Verifier]) -> Verifier:
    """The known witness key that a cosignature line names; NotFound for a witness nobody configured."""
    name = parse_signature_line(line).name
    verifier = witnesses.get(name)
    if verifier is None:
        raise NotFound("witness", name)
    return verifier


def add_cosignature(
    session: Session, *, line: str, witness_verifier: Verifier, now: datetime
) -> CosignatureRow:
    """Verify a witness's cosignature against the latest checkpoint and store it (idempotent per line)."""
    row = latest_checkpoint(session)
    if row is None:
        raise NotFound("checkpoint", "latest")
    line = line if line.endswith("\n") else line + "\n"
    body = parse_note(row.note).body
    try:
        timestamp = verify_cosignature(body, line, witness_verifier)
    except VerificationError as exc:
        raise VerificationError(
            f"cosignature by {witness_verifier.name} does not verify against the latest checkpoint "
            f"(size {row.size}): {exc}"
        ) from exc
    if timestamp > (now + MAX_COSIGNATURE_SKEW).timestamp():
        raise InvalidInput(f"cosignature time {timestamp} is in the future (now {int(now.timestamp())})")
    query = select(CosignatureRow).where(
        CosignatureRow.checkpoint_id == row.id, CosignatureRow.witness == witness_verifier.name
    )
    existing = session.scalars(query).first()
    if existing is not None:
        if existing.line == line:
            return existing
        raise Conflict(
            f"witness {witness_verifier.name} has already cosigned checkpoint {row.id} (size {row.size})"
        )
    cosignature = CosignatureRow(checkpoint_id=row.id, witness=witness_verifier.name, line=line)
    session.add(cosignature)
    session.flush()
    return cosignature
