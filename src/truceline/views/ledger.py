"""Read views of the ledger for the API and pages: entries, the published checkpoint, proofs."""

from __future__ import annotations

import base64
import dataclasses
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from truceline.audit import VerifyReport, verify_database
from truceline.cases.blobs import BlobStore
from truceline.cases.models import Evidence
from truceline.config import Settings
from truceline.db.engine import make_read_only_engine
from truceline.errors import InvalidInput, NotFound, VerificationError
from truceline.ledger import merkle, service
from truceline.ledger.encoding import LedgerEntry
from truceline.ledger.keystore import load_verifier
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.notes import add_signature_lines, parse_checkpoint, parse_note
from truceline.ledger.schemas import (
    CheckpointRead,
    ConsistencyProofRead,
    EntryPage,
    EntryRead,
    InclusionProofRead,
    RecordProofRead,
    VerificationDataRead,
)
from truceline.ledger.signing import Verifier
from truceline.records import record_model
from truceline.scenarios import load_scenario
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Action, Principal, Role, can
from truceline.users.service import list_users
from truceline.views.incidents import ledger_size


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass(frozen=True, slots=True)
class RecordProof:
    """A record's latest ledger entry and the proof that the latest published checkpoint includes it.

    Hashes are lowercase hex except `checkpoint.root_hash`, which is base64 as in the signed note.
    """

    entry: EntryRead
    checkpoint: CheckpointRead | None  # None while no checkpoint has been signed
    origin: str | None  # the checkpoint's origin line: the log's name
    audit_path: tuple[str, ...]  # RFC 9162 §2.1.3.1 PATH(seq, D[0:size]), leaf to root; empty if awaiting
    is_included: bool  # seq < checkpoint size: the checkpoint covers the entry
    is_proven: bool  # the audit path leads from the leaf hash to the signed root (checked here)

    @property
    def is_awaiting_checkpoint(self) -> bool:
        return not self.is_included

    @property
    def root_hash_hex(self) -> str | None:
        return None if self.checkpoint is None else base64.b64decode(self.checkpoint.root_hash).hex()

    @property
    def entry_b64(self) -> str:
        """The entry's bytes as logged (docs/ledger.md §1), base64: what the page's Verify button hashes."""
        e = self.entry
        logged = LedgerEntry(e.seq, e.kind, e.record_id, e.author, e.time, e.commitment)
        return _b64(logged.to_bytes())

    @property
    def inclusion_url(self) -> str | None:
        """The public API call that returns the same proof as JSON (base64 hashes)."""
        if self.checkpoint is None or not self.is_included:
            return None
        return f"/api/ledger/proof/inclusion?seq={self.entry.seq}&size={self.checkpoint.size}"


def record_proof_read(proof: RecordProof) -> RecordProofRead:
    return RecordProofRead(
        entry=proof.entry,
        checkpoint_size=None if proof.checkpoint is None else proof.checkpoint.size,
        root_hash=proof.root_hash_hex,
        audit_path=list(proof.audit_path),
        is_included=proof.is_included,
        is_proven=proof.is_proven,
        inclusion_url=proof.inclusion_url,
    )


def entry_read(row: LedgerEntryRow) -> EntryRead:
    return EntryRead(
        seq=row.seq,
        kind=row.kind,
        record_id=row.record_id,
        author=row.author,
        time=row.time,
        commitment=row.commitment,
        leaf_hash=row.leaf_hash,
    )


# Which read permission an entry's record falls under (its kind is its table name). Kinds marked
# context-bound need their parent record to decide (a response's complaint, an evidence item's case): a
# principal sees their entries only with an unconditional grant, which keeps the log from leaking a
# party's activity to the other party. Kinds not listed are shown to nobody but holders of MANAGE_USERS.
_ENTRY_READ_ACTION: dict[str, tuple[Action, bool]] = {
    "sources": (Action.READ_DOCUMENT, False),
    "documents": (Action.READ_DOCUMENT, False),
    "claims": (Action.READ_CLAIM, False),
    "claim_reviews": (Action.READ_CLAIM, True),
    "incidents": (Action.READ_INCIDENT, False),
    "talks_rounds": (Action.READ_DOCUMENT, False),
    "complaints": (Action.READ_COMPLAINT, False),
    "responses": (Action.READ_COMPLAINT, True),
    "cases": (Action.READ_CASE, False),
    "evidence": (Action.READ_EVIDENCE, True),
    "custody_events": (Action.READ_EVIDENCE, True),
    "findings": (Action.READ_FINDING, False),
    "finding_signatures": (Action.READ_FINDING, True),
    "penalties": (Action.READ_PENALTY, True),
    "notifications": (Action.READ_NOTIFICATION, False),
    "notices": (Action.READ_NOTICE, False),
    "notice_receipts": (Action.READ_NOTICE, True),
    "alert_rules": (Action.MANAGE_ALERTS, True),
    "alert_deliveries": (Action.MANAGE_ALERTS, True),
}


def entry_visible(session: Session, principal: Principal, row: LedgerEntryRow) -> bool:
    """Whether the principal may see this entry's metadata: only if it may read the record behind it."""
    action, context_bound = _ENTRY_READ_ACTION.get(row.kind, (Action.MANAGE_USERS, True))
    if can(principal, action):
        return True
    if context_bound:
        return False
    try:
        model = record_model(row.kind)
    except KeyError:
        return False
    record = session.get(model, row.record_id)
    return record is not None and can(principal, action, record)


def list_entries(
    session: Session,
    *,
    principal: Principal,
    limit: int = 50,
    offset: int = 0,
    newest_first: bool = True,
) -> EntryPage:
    """A page of the log as this principal may see it: the entries of records it may read. `total` stays
    the tree size, so the signed checkpoint and the proofs keep covering the whole log."""
    order = LedgerEntryRow.seq.desc() if newest_first else LedgerEntryRow.seq
    rows = session.scalars(select(LedgerEntryRow).order_by(order).limit(limit).offset(offset))
    items = [entry_read(row) for row in rows if entry_visible(session, principal, row)]
    return EntryPage(total=ledger_size(session), items=items)


def published_checkpoint(session: Session, *, max_size: int | None = None) -> CheckpointRead:
    """The latest checkpoint (of at most `max_size` entries) with every cosignature merged into the note."""
    row = service.latest_checkpoint(session, max_size=max_size)
    if row is None:
        raise NotFound("checkpoint", "latest")
    cosignatures = service.list_cosignatures(session, checkpoint_id=row.id)
    lines = [c.line for c in cosignatures]
    note = add_signature_lines(row.note, lines) if lines else row.note
    checkpoint = parse_checkpoint(parse_note(row.note).body)
    cosigners = [c.witness for c in cosignatures]
    return CheckpointRead(
        size=checkpoint.size, root_hash=_b64(checkpoint.root_hash), note=note, cosigners=cosigners
    )


def find_checkpoint(session: Session) -> CheckpointRead | None:
    """The published checkpoint, or None before the first one is signed."""
    try:
        return published_checkpoint(session)
    except NotFound:
        return None


def record_proof(session: Session, *, kind: str, record_id: str) -> RecordProof | None:
    """The proof for one record (its ledger `kind` is its table name); None when it has no entry."""
    return record_proofs(session, [(kind, record_id)]).get((kind, record_id))


def record_proofs(session: Session, records: Iterable[tuple[str, str]]) -> dict[tuple[str, str], RecordProof]:
    """Proofs for several (kind, record_id) of one page, reading the checkpoint and the leaves once."""
    entries = {
        ref: row
        for ref in dict.fromkeys(records)
        if (row := service.find_entry_for(session, kind=ref[0], record_id=ref[1])) is not None
    }
    if not entries:
        return {}
    checkpoint = find_checkpoint(session)
    tree = None
    if checkpoint is not None and any(row.seq < checkpoint.size for row in entries.values()):
        tree = checkpoint_tree(session, checkpoint.size)
    return {ref: _proof(session, row, checkpoint, tree) for ref, row in entries.items()}


BLOCK_LEAVES = 256  # leaves per block: a kept tree holds one hash per block, a proof reads one block


@dataclass(frozen=True, slots=True)
class CheckpointTree:
    """The Merkle tree of the first `size` entries of a checkpoint, kept as the roots of its 256-leaf blocks
    (1/256 of the leaves' memory: a million entries keep 4k hashes, not 2M); a proof reads the one block
    its leaf is in. RFC 9162 §2.1.1 splits a tree at the largest power of two below its size, a multiple
    of 256 once the size passes 256, so every split falls between blocks and a path is the path within
    the block followed by the block's path among the block roots."""

    size: int
    last_leaf: str  # hex; with the size, names the tree (a database recreated under one URL is not it)
    blocks: merkle.MerkleTree

    def inclusion_proof(self, session: Session, index: int) -> list[bytes]:
        first = index - index % BLOCK_LEAVES
        leaves = _leaf_hashes(session, first, min(first + BLOCK_LEAVES, self.size))
        within = merkle.inclusion_proof(leaves, index - first, len(leaves))
        return within + self.blocks.inclusion_proof(first // BLOCK_LEAVES, self.blocks.size)


def _leaf_hashes(session: Session, first: int, end: int) -> list[bytes]:
    query = (
        select(LedgerEntryRow.leaf_hash)
        .where(LedgerEntryRow.seq >= first, LedgerEntryRow.seq < end)
        .order_by(LedgerEntryRow.seq)
    )
    return [bytes.fromhex(h) for h in session.scalars(query)]


_trees_lock = threading.Lock()
_trees: dict[str, CheckpointTree] = {}
_tree_building = threading.Lock()  # held while a tree is built


def checkpoint_tree(session: Session, size: int) -> CheckpointTree:
    """The tree of the first `size` entries, built once per database and size and then kept: entries never
    change, so every proof against that checkpoint is a block read and a few lookups."""
    key = str(session.get_bind().engine.url)
    last = session.scalar(select(LedgerEntryRow.leaf_hash).where(LedgerEntryRow.seq == size - 1))
    with _trees_lock:
        tree = _trees.get(key)
    if tree is not None and tree.size == size and last is not None and tree.last_leaf == last:
        return tree
    # One build at a time: at 2.4M entries a build reads every leaf (13 s of CPU); 20 requests arriving
    # together each built their own and held every pooled connection until the pool timed out.
    with _tree_building:
        with _trees_lock:
            tree = _trees.get(key)
        if tree is not None and tree.size == size and last is not None and tree.last_leaf == last:
            return tree
        # A checkpoint after every write: the kept tree's full blocks stay, only the entries since are read.
        roots = []
        if tree is not None and _is_start_of(session, tree, size):
            roots = list(tree.blocks.levels[0][: tree.size // BLOCK_LEAVES])
        block: list[bytes] = []
        query = (
            select(LedgerEntryRow.leaf_hash)
            .where(LedgerEntryRow.seq >= len(roots) * BLOCK_LEAVES, LedgerEntryRow.seq < size)
            .order_by(LedgerEntryRow.seq)
        )
        for leaf in session.scalars(query.execution_options(yield_per=BLOCK_LEAVES * 64)):
            block.append(bytes.fromhex(leaf))
            if len(block) == BLOCK_LEAVES:
                roots.append(merkle.root_from_leaf_hashes(block))
                block = []
        if block:
            roots.append(merkle.root_from_leaf_hashes(block))
        tree = CheckpointTree(size, last or "", merkle.MerkleTree(roots))
        with _trees_lock:
            _trees[key] = tree
        return tree


def _is_start_of(session: Session, tree: CheckpointTree, size: int) -> bool:
    """Whether `tree` is the tree of the first entries of this database's tree of `size` entries."""
    if not 0 < tree.size < size:
        return False
    last = session.scalar(select(LedgerEntryRow.leaf_hash).where(LedgerEntryRow.seq == tree.size - 1))
    return last is not None and last == tree.last_leaf


def _proof(
    session: Session, row: LedgerEntryRow, checkpoint: CheckpointRead | None, tree: CheckpointTree | None
) -> RecordProof:
    entry = entry_read(row)
    if checkpoint is None:
        return RecordProof(entry, None, None, (), is_included=False, is_proven=False)
    origin = parse_checkpoint(parse_note(checkpoint.note).body).origin
    if row.seq >= checkpoint.size or tree is None:
        return RecordProof(entry, checkpoint, origin, (), is_included=False, is_proven=False)
    path = tree.inclusion_proof(session, row.seq)
    try:
        # The path comes from the database's leaves, the root from the signed note: they must agree.
        merkle.verify_inclusion(
            leaf_hash=bytes.fromhex(row.leaf_hash),
            index=row.seq,
            size=checkpoint.size,
            proof=path,
            root=base64.b64decode(checkpoint.root_hash),
        )
        is_proven = True
    except VerificationError:
        is_proven = False
    return RecordProof(
        entry, checkpoint, origin, tuple(h.hex() for h in path), is_included=True, is_proven=is_proven
    )


def inclusion(session: Session, *, seq: int, size: int | None) -> InclusionProofRead:
    p = service.prove_inclusion(session, seq=seq, size=size)
    return InclusionProofRead(
        seq=p.seq,
        size=p.size,
        leaf_hash=_b64(p.leaf_hash),
        root_hash=_b64(p.root),
        proof=[_b64(h) for h in p.path],
    )


def consistency(session: Session, *, old_size: int, new_size: int | None) -> ConsistencyProofRead:
    p = service.prove_consistency(session, old_size=old_size, new_size=new_size)
    return ConsistencyProofRead(
        old_size=p.old_size,
        new_size=p.new_size,
        old_root=_b64(p.old_root),
        new_root=_b64(p.new_root),
        proof=[_b64(h) for h in p.path],
    )


def verification_data(
    session: Session, *, principal: Principal, log_vkey: str, seq: int | None = None
) -> VerificationDataRead:
    """The published checkpoint and the log key, and with `seq` that entry's inclusion proof and bytes: the
    input of the browser's own check (static/js/verify.js). The checkpoint and the proof are public, as at
    /api/ledger/proof/inclusion; the entry's bytes only for those who may see it in the log's listing (a
    record page gives its reader the bytes of the entry it shows)."""
    checkpoint = published_checkpoint(session)
    newest = service.find_entry(session, checkpoint.size - 1) if checkpoint.size else None
    entry: str | None = None
    proof: list[str] = []
    if seq is not None:
        row = service.find_entry(session, seq)
        if row is None:
            raise NotFound("ledger entry", str(seq))
        if seq >= checkpoint.size:
            raise InvalidInput(
                f"seq: entry {seq} is not yet in a signed checkpoint (the latest covers {checkpoint.size})"
            )
        if entry_visible(session, principal, row):
            entry = _b64(service.entry_of(row).to_bytes())
        tree = checkpoint_tree(session, checkpoint.size)
        proof = [_b64(h) for h in tree.inclusion_proof(session, seq)]
    return VerificationDataRead(
        log_key=log_vkey,
        checkpoint=checkpoint.note,
        checkpoint_time=None if newest is None else newest.time,
        tree_size=checkpoint.size,
        seq=seq,
        entry=entry,
        proof=proof,
    )


def witness_keys(session: Session, scenario: Scenario) -> dict[str, Verifier]:
    """Cosigning keys of the parties' witnesses: from the scenario, and from active party accounts' keys."""
    vkeys = [party.public_key for party in scenario.parties if party.public_key]
    vkeys.extend(
        account.public_key
        for account in list_users(session)
        if account.role == Role.PARTY and account.is_active and account.public_key
    )
    keys: dict[str, Verifier] = {}
    for vkey in vkeys:
        try:
            verifier = Verifier.from_vkey(vkey).for_cosignatures()
        except InvalidInput:
            continue  # a malformed key on record is not a witness; verify reports unknown witnesses
        keys[verifier.name] = verifier
    return keys


def verify_read_only(settings: Settings, *, evidence: bool = True) -> VerifyReport:
    """`truceline ledger verify` on the database: read-only, creating nothing, never crashing on damage.

    The log's public key is read from `settings.log_pub_path` (never generated); a database that is
    missing is an error, and one whose tables cannot be read is reported as damaged (VerificationError).
    """
    pub = settings.log_pub_path
    if not pub.is_file():
        raise InvalidInput(f"{pub}: no log public key here (set TRUCELINE_HOME to the secretariat's home)")
    log_verifier = load_verifier(str(pub))
    scenario = load_scenario(settings.scenario)
    engine = make_read_only_engine(settings.resolved_database_url)
    try:
        with Session(engine) as session:
            try:
                witnesses = witness_keys(session, scenario)
            except InvalidInput:
                witnesses = {}  # a malformed account event: verify_database names its entry
            report = verify_database(session, log_verifier=log_verifier, witnesses=witnesses)
            if evidence:
                checked = verify_evidence_files(
                    session, BlobStore(settings.home / "blobs", max_bytes=settings.max_upload_bytes)
                )
                report = dataclasses.replace(report, evidence_files=checked)
            return report
    except OperationalError as exc:
        if "does not exist" in str(exc.orig) or "could not connect" in str(exc.orig).lower():
            raise InvalidInput(f"cannot open the database: {str(exc.orig).strip().splitlines()[0]}") from exc
        raise VerificationError(f"the database is damaged: {str(exc.orig).strip().splitlines()[0]}") from exc
    except (SQLAlchemyError, ValueError, KeyError, TypeError) as exc:
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
        raise VerificationError(f"the database is damaged: {detail}") from exc
    finally:
        engine.dispose()


def verify_evidence_files(session: Session, store: BlobStore) -> int:
    """Rehash every stored evidence file against the SHA-256 its ledgered record commits to.

    A missing or changed file is a VerificationError naming the evidence record; sealed items (hash only,
    file kept outside the system) and URLs have no file here. Returns the number of files checked."""
    checked = 0
    query = (
        select(Evidence).where(Evidence.kind == "file", Evidence.sha256.is_not(None)).order_by(Evidence.id)
    )
    for item in session.scalars(query):
        if item.is_sealed or item.sha256 is None:
            continue
        try:
            store.read_original(item.sha256)
        except NotFound as exc:
            raise VerificationError(f"evidence {item.id!r}: its file {item.sha256} is missing") from exc
        except VerificationError as exc:
            raise VerificationError(f"evidence {item.id!r}: {exc}") from exc
        checked += 1
    return checked
