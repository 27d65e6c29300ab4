"""A record's ledger proof: its latest entry, the published checkpoint, and an audit path that verifies."""

from __future__ import annotations

import base64
import dataclasses

import pytest
from sqlalchemy import select, text

from tests.builders import NOW, add_one_of_each
from truceline.errors import VerificationError
from truceline.ledger import merkle
from truceline.ledger.encoding import LedgerEntry
from truceline.ledger.notes import parse_checkpoint, verify_note
from truceline.ledger.service import add_record, batched_appends, create_checkpoint, get_entry, leaf_hashes
from truceline.runtime import Runtime
from truceline.sources.models import Source
from truceline.users.models import UserEvent
from truceline.users.service import disable_user
from truceline.views.ledger import (
    BLOCK_LEAVES,
    RecordProof,
    checkpoint_tree,
    find_checkpoint,
    record_proof,
    record_proofs,
)


def _verify(proof: RecordProof, *, leaf_hash: bytes | None = None) -> None:
    assert proof.checkpoint is not None
    merkle.verify_inclusion(
        leaf_hash=leaf_hash if leaf_hash is not None else bytes.fromhex(proof.entry.leaf_hash),
        index=proof.entry.seq,
        size=proof.checkpoint.size,
        proof=[bytes.fromhex(h) for h in proof.audit_path],
        root=base64.b64decode(proof.checkpoint.root_hash),
    )


def test_the_proof_of_a_record_verifies_against_the_signed_checkpoint_root(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_one_of_each(session)
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
        proof = record_proof(session, kind="complaints", record_id="cmp-1")
        stored = get_entry(session, proof.entry.seq) if proof else None
    assert proof is not None and stored is not None
    assert (proof.entry.kind, proof.entry.record_id) == ("complaints", "cmp-1")
    assert proof.is_included and proof.is_proven and not proof.is_awaiting_checkpoint
    assert proof.checkpoint is not None and proof.entry.seq < proof.checkpoint.size
    # The whole chain a reader checks: entry fields -> leaf hash -> audit path -> root in the signed note.
    entry = LedgerEntry(
        seq=stored.seq,
        kind=stored.kind,
        record_id=stored.record_id,
        author=stored.author,
        time=stored.time,
        commitment=stored.commitment,
    )
    assert entry.leaf_hash().hex() == proof.entry.leaf_hash
    _verify(proof)
    note = verify_note(proof.checkpoint.note, [runtime.log_verifier])
    checkpoint = parse_checkpoint(note.body)
    assert base64.b64encode(checkpoint.root_hash).decode() == proof.checkpoint.root_hash
    assert proof.root_hash_hex == checkpoint.root_hash.hex()
    assert proof.origin == runtime.origin == checkpoint.origin
    assert proof.inclusion_url == f"/api/ledger/proof/inclusion?seq={entry.seq}&size={checkpoint.size}"


def test_the_proof_fails_for_a_different_leaf_or_position(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_one_of_each(session)
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
        proof = record_proof(session, kind="findings", record_id="fnd-1")
        other = record_proof(session, kind="cases", record_id="case-1")
    assert proof is not None and other is not None and proof.entry.seq != other.entry.seq
    with pytest.raises(VerificationError):
        _verify(proof, leaf_hash=bytes.fromhex(other.entry.leaf_hash))
    with pytest.raises(VerificationError):
        _verify(proof, leaf_hash=merkle.hash_leaf(b"a forged entry"))
    moved = dataclasses.replace(proof, entry=proof.entry.model_copy(update={"seq": other.entry.seq}))
    with pytest.raises(VerificationError):
        _verify(moved)


def test_an_entry_after_the_checkpoint_awaits_the_next_one(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_one_of_each(session)
        before = record_proof(session, kind="cases", record_id="case-1")
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
        disable_user(session, username="mediator1", author="test", now=NOW)  # an event after the checkpoint
        event_id = session.scalars(select(UserEvent.id).where(UserEvent.kind == "disabled")).one()
        proof = record_proof(session, kind="user_events", record_id=event_id)
        first = record_proofs(session, [("user_events", event_id), ("cases", "case-1")])
    assert before is not None and before.checkpoint is None and before.is_awaiting_checkpoint
    assert before.audit_path == () and before.inclusion_url is None
    assert proof is not None and proof.checkpoint is not None
    assert proof.entry.seq == proof.checkpoint.size
    assert proof.is_awaiting_checkpoint and not proof.is_included and proof.audit_path == ()
    assert proof.inclusion_url is None
    assert first[("cases", "case-1")].is_proven and first[("user_events", event_id)] == proof


def test_a_record_without_an_entry_has_no_proof(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_one_of_each(session)
        assert record_proof(session, kind="complaints", record_id="cmp-nope") is None
        assert record_proof(session, kind="cases", record_id="cmp-1") is None  # kind and id must match


def test_a_leaf_changed_in_the_database_after_signing_is_not_proven(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_one_of_each(session)
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
    with runtime.sessions() as session:  # never committed: the tampering is rolled back on close
        proof = record_proof(session, kind="complaints", record_id="cmp-1")
        assert proof is not None and proof.is_proven
        session.execute(
            text("UPDATE ledger_entries SET leaf_hash = :h WHERE seq = :s"),
            {"h": "ab" * 32, "s": proof.entry.seq},
        )
        tampered = record_proof(session, kind="complaints", record_id="cmp-1")
    assert tampered is not None and tampered.is_included and not tampered.is_proven


def test_proofs_across_several_blocks_of_leaves_are_the_paths_of_the_whole_tree(runtime: Runtime) -> None:
    # The kept tree holds one hash per block of leaves and reads a proof's block from the database: its
    # paths must be those computed over all the leaves, in the first block, a middle one and a partial last.
    count = 2 * BLOCK_LEAVES + 77
    with runtime.transaction() as session, batched_appends(session):
        for n in range(count):
            source = Source(
                id=f"src-{n}",
                created_at=NOW,
                created_by="test",
                supersedes_id=None,
                name=f"Outlet {n}",
                kind="outlet",
                url=f"https://outlet-{n}.example",
                reliability="C",
                language="en",
            )
            add_record(session, source, author="test", now=NOW)
    with runtime.transaction() as session:
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
        refs = [("sources", f"src-{n}") for n in (0, BLOCK_LEAVES - 1, BLOCK_LEAVES + 5, count - 1)]
        proofs = record_proofs(session, refs)
        size = next(iter(proofs.values())).checkpoint.size  # type: ignore[union-attr]
        leaves = leaf_hashes(session, size=size)
    assert size > 2 * BLOCK_LEAVES and size % BLOCK_LEAVES
    for ref in refs:
        proof = proofs[ref]
        assert proof.is_proven, ref
        whole = merkle.inclusion_proof(leaves, proof.entry.seq, size)
        assert list(proof.audit_path) == [h.hex() for h in whole], ref
        _verify(proof)


def _add_sources(runtime: Runtime, first: int, count: int) -> None:
    with runtime.transaction() as session, batched_appends(session):
        for n in range(first, first + count):
            source = Source(
                id=f"src-{n}",
                created_at=NOW,
                created_by="test",
                supersedes_id=None,
                name=f"Outlet {n}",
                kind="outlet",
                url=f"https://outlet-{n}.example",
                reliability="C",
                language="en",
            )
            add_record(session, source, author="test", now=NOW)


def test_the_kept_tree_grows_by_the_entries_since_and_proves_as_one_built_afresh(runtime: Runtime) -> None:
    # A checkpoint follows every write: the tree kept for the last one is extended, not built again.
    _add_sources(runtime, 0, BLOCK_LEAVES + 30)
    with runtime.sessions() as session:
        first = checkpoint_tree(session, BLOCK_LEAVES + 20)
    _add_sources(runtime, BLOCK_LEAVES + 30, BLOCK_LEAVES + 50)
    with runtime.transaction() as session:
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
    with runtime.sessions() as session:
        size = find_checkpoint(session).size  # type: ignore[union-attr]
        grown = checkpoint_tree(session, size)
        leaves = leaf_hashes(session, size=size)
        paths = [
            grown.inclusion_proof(session, seq) for seq in (0, BLOCK_LEAVES + 19, BLOCK_LEAVES + 25, size - 1)
        ]
    assert grown is not first and grown.blocks.levels[0][0] == first.blocks.levels[0][0]
    assert (
        grown.blocks.levels[0]
        == merkle.MerkleTree(
            [merkle.root_from_leaf_hashes(leaves[i : i + BLOCK_LEAVES]) for i in range(0, size, BLOCK_LEAVES)]
        ).levels[0]
    )
    for seq, path in zip((0, BLOCK_LEAVES + 19, BLOCK_LEAVES + 25, size - 1), paths, strict=True):
        assert path == merkle.inclusion_proof(leaves, seq, size)
