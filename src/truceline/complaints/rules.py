"""Pure rules for complaints and responses: clause checks, the reply window, and party signatures.

A party may sign what it files. The signed message is RFC 8785 canonical JSON of the filing's
content plus a domain tag, a random nonce and the signing time (see docs/verification.md), so a
signature over a complaint can never pass as one over a response, and a stored signature cannot
be filed a second time.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from truceline.errors import Conflict, InvalidInput, VerificationError
from truceline.ledger.encoding import canonical_json, format_time, parse_time
from truceline.ledger.signing import SIGNATURE_SIZE, Signer, Verifier

NONCE_BYTES = 16
# A signature older than this is refused: a filing is signed just before it is sent.
MAX_SIGNATURE_AGE = timedelta(days=1)
# Clocks of a party's laptop and the server may disagree a little.
MAX_CLOCK_SKEW = timedelta(minutes=5)


class FilingKind(StrEnum):
    """What a party signs; the value is the domain tag inside the signed message."""

    COMPLAINT = "truceline-complaint/v1"
    RESPONSE = "truceline-response/v1"


@dataclass(frozen=True, slots=True)
class FilingSignature:
    """A party's signature over one filing: `signature` is base64 Ed25519 over `signing_message(...)`."""

    nonce: str
    signed_at: str
    signature: str
    key: str = ""  # the vkey that signed, filled in by the server from the user's account

    def to_json(self) -> dict[str, str]:
        return {
            "key": self.key,
            "nonce": self.nonce,
            "signed_at": self.signed_at,
            "signature": self.signature,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FilingSignature:
        try:
            return cls(
                nonce=str(data["nonce"]),
                signed_at=str(data["signed_at"]),
                signature=str(data["signature"]),
                key=str(data.get("key", "")),
            )
        except KeyError as exc:
            raise InvalidInput(f"signature: missing field {exc.args[0]!r}") from None


def complaint_content(
    *,
    complainant_party: str,
    accused_party: str,
    incident_id: str | None,
    claim_ids: Iterable[str],
    clause_ids: Iterable[str],
    summary: str,
) -> dict[str, Any]:
    """What a complaint's signature covers (every field the party states)."""
    return {
        "complainant_party": complainant_party,
        "accused_party": accused_party,
        "incident_id": incident_id,
        "claim_ids": list(claim_ids),
        "clause_ids": list(clause_ids),
        "summary": summary,
    }


def response_content(*, complaint_id: str, party: str, text: str) -> dict[str, Any]:
    """What a response's signature covers."""
    return {"complaint_id": complaint_id, "party": party, "text": text}


def signing_message(kind: FilingKind, content: Mapping[str, Any], *, nonce: str, signed_at: str) -> bytes:
    """RFC 8785 bytes of {"domain", "content", "nonce", "signed_at"}: exactly what the party signs."""
    return canonical_json(
        {"domain": kind.value, "content": dict(content), "nonce": nonce, "signed_at": signed_at}
    )


def sign_filing(
    signer: Signer, kind: FilingKind, content: Mapping[str, Any], *, now: datetime, nonce: str | None = None
) -> FilingSignature:
    """The party's side: sign a filing with a fresh nonce (client tools and tests use this)."""
    nonce = nonce or secrets.token_hex(NONCE_BYTES)
    signed_at = format_time(now)
    sig = signer.sign(signing_message(kind, content, nonce=nonce, signed_at=signed_at))
    return FilingSignature(
        nonce=nonce, signed_at=signed_at, signature=base64.b64encode(sig).decode(), key=signer.vkey()
    )


def verify_filing(
    verifier: Verifier,
    kind: FilingKind,
    content: Mapping[str, Any],
    signature: FilingSignature,
    *,
    now: datetime,
) -> None:
    """Return None if the signature is `verifier`'s over this content and recent; raise otherwise."""
    if not 8 <= len(signature.nonce) <= 128:
        raise InvalidInput(f"signature nonce: expected 8-128 characters, got {len(signature.nonce)}")
    signed_at = parse_time(signature.signed_at)
    if signed_at > now + MAX_CLOCK_SKEW:
        raise InvalidInput(f"signature time {signature.signed_at} is in the future (now {format_time(now)})")
    if now - signed_at > MAX_SIGNATURE_AGE:
        raise InvalidInput(
            f"signature time {signature.signed_at} is older than {MAX_SIGNATURE_AGE.days} day; sign again"
        )
    try:
        raw = base64.b64decode(signature.signature, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise InvalidInput("signature: expected base64 of a 64-byte Ed25519 signature") from exc
    if len(raw) != SIGNATURE_SIZE:
        raise InvalidInput(f"signature: expected {SIGNATURE_SIZE} bytes, got {len(raw)}")
    try:
        verifier.verify(
            signing_message(kind, content, nonce=signature.nonce, signed_at=signature.signed_at), raw
        )
    except VerificationError as exc:
        raise VerificationError(
            f"{kind.name.lower()} signature does not verify against the key of {verifier.name} "
            f"({verifier.key_hash.hex()}): forged, or signed over different content"
        ) from exc


def check_not_replayed(
    signature: FilingSignature, *, used_nonces: Iterable[str], used: Iterable[str]
) -> None:
    """Refuse a signature whose nonce or bytes are already stored on another filing."""
    if signature.nonce in set(used_nonces) or signature.signature in set(used):
        raise Conflict(f"signature with nonce {signature.nonce} was already used on a filing: replay refused")


def check_clauses(clause_ids: Iterable[str], *, known: Iterable[str]) -> list[str]:
    """The clause ids, each once and each in the agreement; InvalidInput naming the unknown ones."""
    ids = list(dict.fromkeys(clause_ids))
    if not ids:
        raise InvalidInput("clause_ids: name at least one clause of the agreement")
    known_ids = list(known)
    unknown = [c for c in ids if c not in known_ids]
    if unknown:
        raise InvalidInput(f"clause_ids: {unknown} are not in the agreement (expected some of {known_ids})")
    return ids


def reply_deadline(filed_at: datetime, *, reply_window_days: int) -> datetime:
    return filed_at + timedelta(days=reply_window_days)


def check_reply_in_time(
    complaint_id: str, *, filed_at: datetime, reply_window_days: int, now: datetime
) -> None:
    deadline = reply_deadline(filed_at, reply_window_days=reply_window_days)
    if now > deadline:
        raise Conflict(
            f"complaint {complaint_id}: the reply window of {reply_window_days} days closed at "
            f"{format_time(deadline)}; now is {format_time(now)}"
        )
