"""Signed notes, checkpoints and cosignatures: formats, round trips and refusals."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import nacl.signing
import pytest
from hypothesis import given
from hypothesis import strategies as st

from truceline.errors import InvalidInput, VerificationError
from truceline.ledger.notes import (
    Checkpoint,
    NoteSignature,
    SignedNote,
    add_signature_lines,
    cosign,
    parse_checkpoint,
    parse_note,
    parse_signature_line,
    sign_note,
    verify_cosignature,
    verify_note,
)
from truceline.ledger.signing import Signer, Verifier

GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngo"
    "tpRZb6KE6RyyBwJnAM=\n"
)
# The example of https://c2sp.org/signed-note §Verifier keys.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTg"
    "K7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "ledger.md"


def build_signer(name: str) -> Signer:
    return Signer(name=name, seed=hashlib.sha256(name.encode()).digest())


def build_checkpoint(size: int = 5) -> Checkpoint:
    return Checkpoint(
        origin="truceline.example/log", size=size, root_hash=hashlib.sha256(b"%d" % size).digest()
    )


def test_sign_note_reproduces_the_go_reference_note() -> None:
    assert sign_note(GO_TEXT, [Signer.from_skey(GO_SKEY)]) == GO_NOTE


def test_the_c2sp_spec_example_note_verifies() -> None:
    note = verify_note(SPEC_NOTE, [Verifier.from_vkey(SPEC_VKEY)])
    assert note.body == "This is an example message.\n"


def test_checkpoint_body_is_origin_size_and_base64_root_each_on_a_line() -> None:
    checkpoint = Checkpoint(origin="example.com/log", size=20852163, root_hash=bytes(32), extensions=("ext",))
    assert checkpoint.body() == (
        "example.com/log\n20852163\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\next\n"
    )


@given(
    origin=st.text(st.characters(min_codepoint=0x20, exclude_characters="\n"), min_size=1),
    size=st.integers(min_value=0, max_value=2**63),
    root_hash=st.binary(min_size=32, max_size=32),
    extensions=st.lists(st.text(st.characters(min_codepoint=0x20), min_size=1), max_size=3),
)
def test_checkpoint_survives_a_round_trip_through_its_body(
    origin: str, size: int, root_hash: bytes, extensions: list[str]
) -> None:
    checkpoint = Checkpoint(origin=origin, size=size, root_hash=root_hash, extensions=tuple(extensions))
    assert parse_checkpoint(checkpoint.body()) == checkpoint


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "newline"),
        ("o\n1\n", "origin, size and root"),
        ("o\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "leading zeros"),
        ("o\n-1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "decimal"),
        ("o\n١\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "decimal"),
        ("o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n", "canonical base64"),
        ("o\n1\nAAAA\n", "32 bytes"),
        ("o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n", "extension"),
        ("\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "origin"),
    ],
)
def test_parse_checkpoint_refuses_anything_body_would_not_produce(body: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_checkpoint(body)


def test_signed_note_survives_a_round_trip_through_parse_and_text() -> None:
    note = sign_note(build_checkpoint().body(), [build_signer("log.example"), build_signer("other.example")])
    parsed = parse_note(note)
    assert parsed.text() == note
    assert [s.name for s in parsed.signatures] == ["log.example", "other.example"]
    assert parse_signature_line(parsed.signatures[0].line()) == parsed.signatures[0]


def test_note_body_may_contain_blank_lines_and_splits_at_the_last_one() -> None:
    note = sign_note("first\n\nsecond\n", [build_signer("log.example")])
    assert parse_note(note).body == "first\n\nsecond\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("body\n— k AAAAAAA=\n", "no blank line"),
        ("body\n\n— k AAAAAAA=", "end with a newline"),
        ("body\n\n", "no signature lines"),
        ("body\n\n- k AAAAAAA=\n", "em dash"),
        ("body\n\n— kAAAAAAA=\n", "key name and a signature"),
        ("body\n\n— k+1 AAAAAAA=\n", "key name"),
        ("body\n\n— k AAAA\n", "4-byte key hash"),
        ("body\n\n— k A!AAAAA=\n", "base64"),
        ("bo\tdy\n\n— k AAAAAAA=\n", "control character"),
    ],
)
def test_parse_note_refuses_malformed_notes(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_note(text)


def test_verify_note_refuses_a_changed_body() -> None:
    signer = build_signer("log.example")
    note = sign_note(build_checkpoint(5).body(), [signer])
    forged = note.replace("\n5\n", "\n6\n", 1)
    with pytest.raises(VerificationError, match="does not verify"):
        verify_note(forged, [signer.verifier()])


def test_verify_note_refuses_a_note_signed_only_by_unknown_keys() -> None:
    note = sign_note(build_checkpoint().body(), [build_signer("log.example")])
    stranger = build_signer("stranger.example").verifier()
    with pytest.raises(VerificationError, match="no signature from a known key"):
        verify_note(note, [stranger])
    # Same name, different key: still unknown, so ignored rather than failed.
    impostor = Signer(name="log.example", seed=bytes(32)).verifier()
    with pytest.raises(VerificationError, match="no signature from a known key"):
        verify_note(note, [impostor])


def test_verify_note_refuses_a_truncated_signature() -> None:
    signer = build_signer("log.example")
    note = parse_note(sign_note(build_checkpoint().body(), [signer]))
    short = NoteSignature(signer.name, signer.key_hash, note.signatures[0].sig_bytes[:-1])
    with pytest.raises(VerificationError, match="64 bytes"):
        verify_note(SignedNote(note.body, (short,)).text(), [signer.verifier()])


def test_verify_note_ignores_unknown_lines_but_refuses_a_bad_line_from_a_known_key() -> None:
    log, other = build_signer("log.example"), build_signer("other.example")
    body = build_checkpoint().body()
    note = sign_note(body, [log, other])
    assert verify_note(note, [log.verifier()]).body == body
    bad = NoteSignature(other.name, other.key_hash, bytes(64))
    tampered = add_signature_lines(sign_note(body, [log]), [bad.line()])
    with pytest.raises(VerificationError, match=r"other\.example"):
        verify_note(tampered, [log.verifier(), other.verifier()])


def test_sign_note_refuses_a_body_without_final_newline_or_without_signers() -> None:
    with pytest.raises(InvalidInput, match="newline"):
        sign_note("no newline", [build_signer("log.example")])
    with pytest.raises(InvalidInput, match="at least one signer"):
        sign_note("body\n", [])


def test_cosignature_is_key_hash_timestamp_and_signature_of_the_v1_message() -> None:
    witness = build_signer("witness.example/pk")
    body = build_checkpoint().body()
    line = cosign(body, witness, 1761384600)
    raw = base64.b64decode(line.removeprefix("— witness.example/pk ").removesuffix("\n"))
    expected_hash = hashlib.sha256(b"witness.example/pk\n\x04" + witness.public_key).digest()[:4]
    assert raw[:4] == expected_hash
    assert raw[4:12] == (1761384600).to_bytes(8, "big")
    message = b"cosignature/v1\ntime 1761384600\n" + body.encode()
    nacl.signing.VerifyKey(witness.public_key).verify(message, raw[12:])


def test_cosignature_round_trips_to_its_timestamp() -> None:
    witness = build_signer("witness.example/pk")
    body = build_checkpoint().body()
    assert verify_cosignature(body, cosign(body, witness, 1761384600), witness.verifier()) == 1761384600
    cosigner = Verifier.from_vkey(witness.cosigner_vkey())
    assert verify_cosignature(body, cosign(body, witness, 0), cosigner) == 0


def test_cosignature_is_refused_for_a_changed_body_a_wrong_key_or_a_truncated_signature() -> None:
    witness, other = build_signer("witness.example/pk"), build_signer("witness.example/af")
    body = build_checkpoint(5).body()
    line = cosign(body, witness, 1761384600)
    with pytest.raises(VerificationError, match="does not verify"):
        verify_cosignature(build_checkpoint(6).body(), line, witness.verifier())
    with pytest.raises(VerificationError, match=r"expected witness\.example/af"):
        verify_cosignature(body, line, other.verifier())
    signature = parse_signature_line(line)
    truncated = NoteSignature(signature.name, signature.key_hash, signature.sig_bytes[:-3]).line()
    with pytest.raises(VerificationError, match="72 bytes"):
        verify_cosignature(body, truncated, witness.verifier())


def test_a_note_signature_is_not_accepted_as_a_cosignature() -> None:
    key = build_signer("witness.example/pk")
    body = build_checkpoint().body()
    note_line = parse_note(sign_note(body, [key])).signatures[0].line()
    with pytest.raises(VerificationError, match="cosignature is from"):
        verify_cosignature(body, note_line, key.verifier())


def test_cosign_refuses_a_body_that_is_not_a_checkpoint_and_a_negative_time() -> None:
    witness = build_signer("witness.example/pk")
    with pytest.raises(InvalidInput):
        cosign("not a checkpoint\n", witness, 1)
    with pytest.raises(InvalidInput, match="timestamp"):
        cosign(build_checkpoint().body(), witness, -1)


def test_merged_cosignatures_verify_with_the_log_key_and_each_witness() -> None:
    log, pk, af = (
        build_signer("log.example"),
        build_signer("witness.example/pk"),
        build_signer("witness.example/af"),
    )
    body = build_checkpoint().body()
    note = sign_note(body, [log])
    lines = [cosign(body, pk, 100), cosign(body, af, 200)]
    merged = add_signature_lines(note, [*lines, lines[0]])
    assert merged == note + "".join(lines)
    assert len(parse_note(merged).signatures) == 3
    for witness in (pk, af):
        verify_note(merged, [witness.verifier().for_cosignatures()])
    verify_note(merged, [log.verifier(), pk.verifier().for_cosignatures(), af.verifier().for_cosignatures()])


def test_a_key_that_already_signed_keeps_its_first_line_when_merging() -> None:
    log, pk = build_signer("log.example"), build_signer("witness.example/pk")
    body = build_checkpoint().body()
    first = add_signature_lines(sign_note(body, [log]), [cosign(body, pk, 100)])
    assert add_signature_lines(first, [cosign(body, pk, 200)]) == first


def test_the_checkpoint_example_in_the_ledger_docs_verifies_with_the_documented_keys() -> None:
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(.*?)```", text, flags=re.DOTALL)
    note = next(block for block in blocks if block.startswith("truceline.example/ledger\n") and "— " in block)
    log_vkey = re.search(r"log key \(vkey\): `([^`]+)`", text)
    witness_vkey = re.search(r"witness key \(cosigner vkey\): `([^`]+)`", text)
    assert log_vkey and witness_vkey
    verified = verify_note(
        note, [Verifier.from_vkey(log_vkey.group(1)), Verifier.from_vkey(witness_vkey.group(1))]
    )
    assert parse_checkpoint(verified.body).origin == "truceline.example/ledger"
