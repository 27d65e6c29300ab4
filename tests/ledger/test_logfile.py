"""The export file: write, read and verify, and every way a tampered or malformed export is refused."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence

import pytest

from truceline.errors import InvalidInput, VerificationError
from truceline.ledger.encoding import LedgerEntry
from truceline.ledger.logcheck import verify_log, verify_log_lines
from truceline.ledger.logfile import AuthorSignature, read_log, write_log
from truceline.ledger.merkle import EMPTY_ROOT, root_from_leaf_hashes
from truceline.ledger.notes import Checkpoint, cosign, sign_note
from truceline.ledger.signing import Signer

ORIGIN = "truceline.example/ledger"


def build_signer(name: str) -> Signer:
    return Signer(name=name, seed=hashlib.sha256(name.encode()).digest())


LOG_KEY = build_signer(ORIGIN)


def build_entries(n: int) -> list[LedgerEntry]:
    return [
        LedgerEntry(
            seq=seq,
            kind="claim.created",
            record_id=f"CL-{seq:04d}",
            author="secretariat",
            time=f"2025-10-25T09:{seq % 60:02d}:00.000000Z",
            commitment=hashlib.sha256(b"record %d" % seq).hexdigest(),
        )
        for seq in range(n)
    ]


def build_checkpoint_note(entries: Sequence[LedgerEntry], size: int, signer: Signer = LOG_KEY) -> str:
    root = root_from_leaf_hashes([entry.leaf_hash() for entry in entries[:size]])
    return sign_note(Checkpoint(origin=ORIGIN, size=size, root_hash=root).body(), [signer])


def build_export(
    n: int = 6, sizes: Sequence[int] = (3, 6), signed_by: dict[int, Signer] | None = None
) -> list[str]:
    entries = build_entries(n)
    signed_by = signed_by or {}
    pairs = [
        (
            e,
            AuthorSignature(signed_by[e.seq].vkey(), signed_by[e.seq].sign(e.to_bytes()))
            if e.seq in signed_by
            else None,
        )
        for e in entries
    ]
    notes = [build_checkpoint_note(entries, size) for size in sizes]
    return list(write_log(origin=ORIGIN, log_vkey=LOG_KEY.vkey(), entries=pairs, checkpoints=notes))


def edit_line(lines: list[str], index: int, change: dict[str, object]) -> list[str]:
    obj = json.loads(lines[index])
    for path, value in change.items():
        target = obj
        *parents, last = path.split(".")
        for key in parents:
            target = target[key]
        target[last] = value
    return [*lines[:index], json.dumps(obj) + "\n", *lines[index + 1 :]]


def verify_lines(lines: list[str]) -> object:
    return verify_log(read_log(lines), log_vkey=LOG_KEY.vkey())


def test_an_export_round_trips_and_verifies() -> None:
    lines = build_export(6, sizes=(3, 6))
    summary = verify_log(read_log(lines), log_vkey=LOG_KEY.vkey())
    entries = build_entries(6)
    assert summary.size == 6
    assert summary.root == root_from_leaf_hashes([entry.leaf_hash() for entry in entries])
    assert summary.checkpoints_verified == 2
    assert [entry.entry for entry in read_log(lines).entries] == entries


def test_each_checkpoint_follows_the_entry_that_completes_its_tree() -> None:
    types = [json.loads(line)["type"] for line in build_export(4, sizes=(0, 2, 4))]
    assert types == ["header", "checkpoint", "entry", "entry", "checkpoint", "entry", "entry", "checkpoint"]


def test_export_lines_are_canonical_json_ending_in_a_newline() -> None:
    header = build_export(1, sizes=(1,))[0]
    assert header == (
        f'{{"format":"truceline-ledger/1","log_key":"{LOG_KEY.vkey()}","origin":"{ORIGIN}","type":"header"}}\n'
    )


def test_an_empty_log_verifies_to_the_empty_root() -> None:
    summary = verify_lines(build_export(0, sizes=()))
    assert summary == type(summary)(size=0, root=EMPTY_ROOT, checkpoints_verified=0)  # type: ignore[call-arg]


def test_checkpoints_carrying_cosignatures_still_verify() -> None:
    entries = build_entries(2)
    body = Checkpoint(ORIGIN, 2, root_from_leaf_hashes([e.leaf_hash() for e in entries])).body()
    note = sign_note(body, [LOG_KEY]) + cosign(body, build_signer("witness.example/pk"), 1761384600)
    lines = write_log(
        origin=ORIGIN, log_vkey=LOG_KEY.vkey(), entries=[(e, None) for e in entries], checkpoints=[note]
    )
    assert verify_lines(list(lines)).checkpoints_verified == 1  # type: ignore[attr-defined]


def test_a_changed_entry_is_named_by_its_seq() -> None:
    lines = edit_line(build_export(6), 2, {"entry.record_id": "CL-9999"})
    with pytest.raises(VerificationError, match="entry seq 1 does not match its leaf hash") as caught:
        verify_lines(lines)
    assert caught.value.seq == 1


def test_a_changed_entry_with_a_recomputed_leaf_hash_fails_at_the_next_checkpoint() -> None:
    lines = build_export(6, sizes=(3, 6))
    forged = LedgerEntry.from_json(json.loads(lines[5])["entry"] | {"author": "someone else"})
    lines = edit_line(lines, 5, {"entry.author": "someone else", "leaf_hash": forged.leaf_hash().hex()})
    with pytest.raises(VerificationError, match="an entry from seq 3 on was changed") as caught:
        verify_lines(lines)
    assert caught.value.seq == 3


def test_a_gap_in_the_sequence_is_named() -> None:
    lines = build_export(6)
    del lines[2]
    with pytest.raises(VerificationError, match="expected seq 1, got seq 2") as caught:
        verify_lines(lines)
    assert caught.value.seq == 1


def test_entries_after_the_last_checkpoint_are_reported_as_unsigned() -> None:
    with pytest.raises(VerificationError, match=r"2 entries \(seq 4..5\) are not covered") as caught:
        verify_lines(build_export(6, sizes=(2, 4)))
    assert caught.value.seq == 4
    with pytest.raises(VerificationError, match=r"3 entries \(seq 0..2\)"):
        verify_lines(build_export(3, sizes=()))


def test_a_checkpoint_signed_by_another_key_is_refused() -> None:
    lines = build_export(3, sizes=(3,))
    impostor_note = build_checkpoint_note(build_entries(3), 3, signer=Signer(name=ORIGIN, seed=bytes(32)))
    lines[-1] = json.dumps({"type": "checkpoint", "note": impostor_note}) + "\n"
    with pytest.raises(VerificationError, match="not signed by the log key"):
        verify_lines(lines)


def test_a_checkpoint_beyond_the_exported_entries_is_refused() -> None:
    lines = build_export(3, sizes=(3,))
    extra = build_checkpoint_note(build_entries(5), 5)
    lines.append(json.dumps({"type": "checkpoint", "note": extra}) + "\n")
    with pytest.raises(VerificationError, match="claims size 5, but the export has 3 entries"):
        verify_lines(lines)


def test_an_export_naming_another_log_key_is_refused() -> None:
    lines = build_export(2, sizes=(2,))
    with pytest.raises(VerificationError, match="export names log key"):
        verify_log(read_log(lines), log_vkey=build_signer("other.example").vkey())


def test_author_signatures_are_verified() -> None:
    mediator = build_signer("mediator.example/alice")
    lines = build_export(3, sizes=(3,), signed_by={1: mediator})
    assert verify_lines(lines).checkpoints_verified == 1  # type: ignore[attr-defined]
    other = build_signer("mediator.example/bob")
    forged = edit_line(lines, 2, {"signature.key": other.vkey()})
    with pytest.raises(VerificationError, match="entry seq 1 author signature") as caught:
        verify_lines(forged)
    assert caught.value.seq == 1


def test_author_signatures_must_be_by_a_pinned_key_when_keys_are_given() -> None:
    mediator = build_signer("mediator.example/alice")
    log = read_log(build_export(3, sizes=(3,), signed_by={1: mediator}))
    verify_log(log, log_vkey=LOG_KEY.vkey(), author_vkeys={"secretariat": [mediator.vkey()]})
    with pytest.raises(VerificationError, match="not a key of 'secretariat'"):
        verify_log(log, log_vkey=LOG_KEY.vkey(), author_vkeys={"secretariat": []})


@pytest.mark.parametrize(
    ("index", "replacement", "message"),
    [
        (0, '{"type":"entry"}\n', "line 1: the first line must be the header"),
        (0, '{"type":"header","format":"truceline-ledger/2","origin":"o","log_key":"k"}\n', "line 1: format"),
        (1, "not json\n", "line 2: not valid JSON"),
        (1, "[1, 2]\n", "line 2: each line must be a JSON object"),
        (2, '{"type":"entry","type":"entry"}\n', "line 3: JSON object has a duplicate key"),
        (2, '{"type":"note"}\n', "line 3: line type must be"),
        (3, '{"type":"entry","entry":{},"leaf_hash":"00"}\n', "line 4: entry fields are wrong"),
        (1, "\n", "line 2: blank lines"),
        (1, '{"type":"checkpoint","note":"no note\\n"}\n', "line 2: signed note has no blank line"),
    ],
)
def test_read_log_names_the_line_of_malformed_input(index: int, replacement: str, message: str) -> None:
    lines = build_export(3, sizes=(3,))
    lines[index] = replacement
    with pytest.raises(InvalidInput, match=message):
        read_log(lines)


def test_read_log_refuses_extra_fields_and_a_bad_leaf_hash() -> None:
    lines = build_export(2, sizes=(2,))
    with pytest.raises(
        InvalidInput, match=r"line 2: entry fields are wrong: missing \[\], unexpected \['salt'\]"
    ):
        read_log(edit_line(lines, 1, {"salt": "00"}))
    with pytest.raises(InvalidInput, match="line 2: leaf_hash"):
        read_log(edit_line(lines, 1, {"leaf_hash": "AB" * 32}))


def test_read_log_refuses_checkpoints_out_of_order() -> None:
    lines = build_export(4, sizes=(2, 4))
    checkpoints = [i for i, line in enumerate(lines) if '"type":"checkpoint"' in line]
    lines[checkpoints[0]], lines[checkpoints[1]] = lines[checkpoints[1]], lines[checkpoints[0]]
    with pytest.raises(InvalidInput, match="sizes must increase"):
        read_log(lines)


def test_read_log_accepts_a_trailing_blank_line_and_refuses_an_empty_file() -> None:
    read_log([*build_export(1, sizes=(1,)), "\n"])
    with pytest.raises(InvalidInput, match="line 1: the export is empty"):
        read_log([])


def test_write_log_refuses_entries_out_of_order_and_checkpoints_past_the_end() -> None:
    entries = build_entries(3)
    with pytest.raises(InvalidInput, match="expected seq 1, got 2"):
        list(
            write_log(
                origin=ORIGIN,
                log_vkey=LOG_KEY.vkey(),
                entries=[(entries[0], None), (entries[2], None)],
                checkpoints=[],
            )
        )
    with pytest.raises(InvalidInput, match="size 3 but only 2 entries"):
        list(
            write_log(
                origin=ORIGIN,
                log_vkey=LOG_KEY.vkey(),
                entries=[(e, None) for e in entries[:2]],
                checkpoints=[build_checkpoint_note(entries, 3)],
            )
        )


def _cosigned_export(witnesses: Sequence[Signer], *, forge: Signer | None = None) -> list[str]:
    """Six entries, a checkpoint at 6 carrying each witness's cosignature (a forged one when asked)."""
    from truceline.ledger.notes import add_signature_lines, parse_note

    entries = build_entries(6)
    note = build_checkpoint_note(entries, 6)
    body = parse_note(note).body
    lines = [cosign(body, w, 1_760_000_000) for w in witnesses]
    if forge is not None:
        # a line that names the witness's key but signs another checkpoint body
        other = build_checkpoint_note(entries, 5)
        lines.append(cosign(parse_note(other).body, forge, 1_760_000_000))
    note = add_signature_lines(note, lines)
    return list(
        write_log(
            origin=ORIGIN, log_vkey=LOG_KEY.vkey(), entries=[(e, None) for e in entries], checkpoints=[note]
        )
    )


def test_cosignatures_by_trusted_witnesses_are_verified_offline() -> None:
    af, pk = build_signer("af-witness"), build_signer("pk-witness")
    summary = verify_log(
        read_log(_cosigned_export([af, pk])), log_vkey=LOG_KEY.vkey(), witness_vkeys=[af.vkey(), pk.vkey()]
    )
    assert summary.cosignatures_verified == 2 and summary.unknown_cosigners == ()


def test_a_forged_cosignature_fails_the_run() -> None:
    af, pk = build_signer("af-witness"), build_signer("pk-witness")
    with pytest.raises(VerificationError, match="forged cosignature by pk-witness"):
        verify_log(
            read_log(_cosigned_export([af], forge=pk)), log_vkey=LOG_KEY.vkey(), witness_vkeys=[pk.vkey()]
        )


def test_cosignatures_by_keys_nobody_named_are_listed_not_trusted() -> None:
    af = build_signer("af-witness")
    summary = verify_log(read_log(_cosigned_export([af])), log_vkey=LOG_KEY.vkey())
    assert summary.cosignatures_verified == 0
    assert [name.split("+")[0] for name in summary.unknown_cosigners] == ["af-witness"]


def test_witness_keys_named_in_the_export_are_checked_too() -> None:
    af, pk = build_signer("af-witness"), build_signer("pk-witness")
    entries = build_entries(6)
    lines = _cosigned_export([af], forge=pk)
    header = json.loads(lines[0])
    header["witness_keys"] = [pk.vkey()]
    lines[0] = json.dumps(header) + "\n"
    with pytest.raises(VerificationError, match="forged cosignature by pk-witness"):
        verify_log(read_log(lines), log_vkey=LOG_KEY.vkey())
    assert len(entries) == 6


def test_the_same_witness_key_given_twice_is_refused() -> None:
    af = build_signer("af-witness")
    with pytest.raises(InvalidInput, match="given twice"):
        verify_log(
            read_log(_cosigned_export([af])), log_vkey=LOG_KEY.vkey(), witness_vkeys=[af.vkey(), af.vkey()]
        )


def test_a_note_signed_twice_by_one_key_is_malformed() -> None:
    from truceline.ledger.notes import parse_note

    note = build_checkpoint_note(build_entries(3), 3)
    body, signature = note.rsplit("\n\n", 1)
    with pytest.raises(InvalidInput, match="two signatures by the same key"):
        parse_note(f"{body}\n\n{signature}{signature}")


def rewrite_spaced(lines: list[str]) -> list[str]:
    """The same export in valid but non-canonical JSON (spaces, ASCII escapes): the slow reading path."""
    return [json.dumps(json.loads(line)) + "\n" for line in lines]


def test_canonical_and_reformatted_exports_read_and_verify_alike() -> None:
    lines = build_export(6, signed_by={2: build_signer("mediator.example/desk")})
    fast, slow = read_log(lines), read_log(rewrite_spaced(lines))
    assert fast.entries == slow.entries
    assert [e.entry for e in fast.entries] == build_entries(6)
    assert verify_log(fast, log_vkey=LOG_KEY.vkey()) == verify_log(slow, log_vkey=LOG_KEY.vkey())


def test_a_changed_byte_in_a_canonical_entry_line_fails_its_leaf_hash() -> None:
    lines = build_export(6)
    lines[2] = lines[2].replace('"CL-0001"', '"CL-0009"')
    with pytest.raises(VerificationError, match="entry seq 1 does not match its leaf hash") as caught:
        verify_log_lines(lines, log_vkey=LOG_KEY.vkey())
    assert caught.value.seq == 1


def test_a_changed_byte_in_a_signed_canonical_entry_fails_its_signature() -> None:
    mediator = build_signer("mediator.example/desk")
    lines = build_export(3, sizes=(3,), signed_by={1: mediator})
    changed = dataclasses.replace(build_entries(2)[1], record_id="CL-0009")
    lines[2] = (
        lines[2]
        .replace('"CL-0001"', '"CL-0009"')
        .replace(json.loads(lines[2])["leaf_hash"], changed.leaf_hash().hex())
    )
    with pytest.raises(VerificationError, match="entry seq 1 author signature"):
        verify_log_lines(lines, log_vkey=LOG_KEY.vkey())


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("09:01:00.000000Z", "25:01:00.000000Z", "not a real date"),
        ("09:01:00.000000Z", "09:01:00.00000Z", "ledger time must look like"),
        ('"seq":1,', '"seq":9007199254740992,', "seq must be an integer"),
        ('"seq":1,', '"seq":01,', "not valid JSON"),
        ('"commitment":"', '"commitment":"ABCDEF', "commitment must be 64 lowercase hex"),
        ('"author":"', '"author":"\x07', "Invalid control character"),
        ('"author":"', '"author":"\ud800', "not valid Unicode"),
    ],
)
def test_a_canonical_entry_line_is_checked_like_a_parsed_one(old: str, new: str, message: str) -> None:
    lines = build_export(3, sizes=(3,))
    lines[2] = lines[2].replace(old, new)
    with pytest.raises(InvalidInput, match=f"line 3: .*{message}"):
        read_log(lines)


def test_a_canonical_line_with_an_uppercase_leaf_hash_is_refused_like_a_parsed_one() -> None:
    lines = build_export(3, sizes=(3,))
    leaf_hash = json.loads(lines[2])["leaf_hash"]
    lines[2] = lines[2].replace(leaf_hash, leaf_hash.upper())
    assert leaf_hash != leaf_hash.upper()
    with pytest.raises(InvalidInput, match="line 3: leaf_hash must be 64 lowercase hex digits"):
        verify_log_lines(lines, log_vkey=LOG_KEY.vkey())


def test_an_export_with_windows_line_breaks_verifies() -> None:
    lines = build_export(6, sizes=(3, 6))
    assert verify_log_lines([line.replace("\n", "\r\n") for line in lines], log_vkey=LOG_KEY.vkey()) == (
        verify_lines(lines)
    )


def test_streaming_verification_matches_reading_the_whole_file() -> None:
    lines = build_export(9, sizes=(0, 4, 9))
    assert verify_log_lines(lines, log_vkey=LOG_KEY.vkey()) == verify_lines(lines)


def test_a_checkpoint_after_later_entries_is_checked_at_its_own_size() -> None:
    lines = build_export(6, sizes=(3, 6))
    moved = [lines[0], *lines[1:4], *lines[5:8], lines[4], *lines[8:]]  # size-3 checkpoint after seq 5
    assert json.loads(moved[7])["type"] == "checkpoint"
    assert verify_log_lines(moved, log_vkey=LOG_KEY.vkey()).checkpoints_verified == 2
    changed = dataclasses.replace(build_entries(2)[1], record_id="CL-9999")
    tampered = edit_line(moved, 2, {"entry.record_id": "CL-9999", "leaf_hash": changed.leaf_hash().hex()})
    with pytest.raises(VerificationError, match=r"size 3 .*an entry from seq 0 on was changed"):
        verify_log_lines(tampered, log_vkey=LOG_KEY.vkey())
