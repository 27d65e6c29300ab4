"""Public ledger API: entries, the latest signed checkpoint, inclusion and consistency proofs, verify data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from truceline.ledger.schemas import (
    CheckpointRead,
    ConsistencyProofRead,
    EntryPage,
    InclusionProofRead,
    VerificationDataRead,
)
from truceline.users.rules import Action, Principal
from truceline.views import ledger
from truceline.web.deps import RuntimeDep, SessionDep, allow
from truceline.web.inputs import Offset

router = APIRouter(prefix="/ledger", tags=["ledger"])
CanReadLedger = Annotated[Principal, allow(Action.READ_LEDGER)]
CanReadCheckpoint = Annotated[Principal, allow(Action.READ_CHECKPOINT)]


@router.get("/entries", response_model=EntryPage)
def list_entries(
    session: SessionDep,
    principal: CanReadLedger,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> EntryPage:
    return ledger.list_entries(session, principal=principal, limit=limit, offset=offset, newest_first=False)


@router.get("/checkpoint", response_model=CheckpointRead)
def latest_checkpoint(session: SessionDep, _: CanReadCheckpoint) -> CheckpointRead:
    return ledger.published_checkpoint(session)


@router.get("/checkpoint.txt", response_class=PlainTextResponse)
def latest_checkpoint_note(session: SessionDep, _: CanReadCheckpoint) -> str:
    """The signed note alone, as transparency-log tools expect it."""
    return ledger.published_checkpoint(session).note


@router.get("/proof/inclusion", response_model=InclusionProofRead)
def inclusion_proof(
    session: SessionDep,
    _: CanReadCheckpoint,
    seq: Annotated[int, Query(ge=0)],
    size: Annotated[int | None, Query(ge=1)] = None,
) -> InclusionProofRead:
    return ledger.inclusion(session, seq=seq, size=size)


@router.get("/proof/consistency", response_model=ConsistencyProofRead)
def consistency_proof(
    session: SessionDep,
    _: CanReadCheckpoint,
    old: Annotated[int, Query(ge=1)],
    new: Annotated[int | None, Query(ge=1)] = None,
) -> ConsistencyProofRead:
    return ledger.consistency(session, old_size=old, new_size=new)


@router.get("/verification", response_model=VerificationDataRead)
def verification_data(
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CanReadCheckpoint,
    seq: Annotated[int | None, Query(ge=0)] = None,
) -> VerificationDataRead:
    """The signed checkpoint and log key, with `seq` that entry's bytes and inclusion proof: a client checks
    them itself (the pages' Verify button does, in the browser); nothing here is a verdict."""
    log_vkey = runtime.signer.vkey()
    return ledger.verification_data(session, principal=principal, log_vkey=log_vkey, seq=seq)
