"""An export written by Truceline verifies with a separate verifier written from docs/ledger.md alone."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import nacl.exceptions
import nacl.signing
import pytest

# ---- The independent verifier: hashlib, base64, json and nacl only, following docs/ledger.md §8. ----


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def merkle_root(hashes: list[bytes]) -> bytes:  # §3
    if not hashes:
        return sha256(b"")
    while len(hashes) > 1:
        paired = [sha256(b"\x01" + hashes[i] + hashes[i + 1]) for i in range(0, len(hashes) - 1, 2)]
        hashes = paired + hashes[len(hashes) - len(hashes) % 2 :]
    return hashes[0]


def independent_verify(text: str, log_vkey: str) -> tuple[int, bytes]:
    """Return (size, root) or raise ValueError naming what failed."""
    name, hash_hex, key_b64 = log_vkey.split("+", 2)  # §4
    key = base64.b64decode(key_b64)
    assert key[0] == 1 and sha256(name.encode() + b"\n" + key)[:4].hex() == hash_hex
    lines = [json.loads(line) for line in text.splitlines()]
    header = lines.pop(0)
    if (header["type"], header["format"], header["log_key"]) != ("header", "truceline-ledger/1", log_vkey):
        raise ValueError("bad header")
    leaves: list[bytes] = []
    last_good = 0
    for obj in lines:
        if obj["type"] == "entry":
            entry = obj["entry"]
            if entry["seq"] != len(leaves):
                raise ValueError(f"gap at seq {len(leaves)}")
            data = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()  # §1
            if sha256(b"\x00" + data).hex() != obj["leaf_hash"]:
                raise ValueError(f"entry seq {entry['seq']} changed")
            if "signature" in obj:
                author_key = base64.b64decode(obj["signature"]["key"].split("+", 2)[2])[1:]
                nacl.signing.VerifyKey(author_key).verify(data, base64.b64decode(obj["signature"]["sig"]))
            leaves.append(sha256(b"\x00" + data))
        else:  # checkpoint, §5
            note = obj["note"]
            cut = note.rindex("\n\n") + 1
            body, signatures = note[:cut], note[cut + 1 :].splitlines()
            ours = [base64.b64decode(s.split(" ")[2]) for s in signatures if s.split(" ")[1] == name]
            ours = [sig for sig in ours if sig[:4].hex() == hash_hex]
            if not ours:
                raise ValueError("checkpoint not signed by the log")
            for sig in ours:
                nacl.signing.VerifyKey(key[1:]).verify(body.encode(), sig[4:])
            origin, size, root = body.split("\n")[:3]
            if origin != header["origin"] or merkle_root(leaves[: int(size)]) != base64.b64decode(root):
                raise ValueError(f"checkpoint {size}: an entry from seq {last_good} on changed")
            last_good = int(size)
    if last_good != len(leaves):
        raise ValueError(f"{len(leaves) - last_good} unsigned entries")
    return len(leaves), merkle_root(leaves)


# ---- The export under test, produced by Truceline. ----

from truceline.ledger.encoding import LedgerEntry, commitment  # noqa: E402
from truceline.ledger.logfile import AuthorSignature, write_log  # noqa: E402
from truceline.ledger.merkle import root_from_leaf_hashes  # noqa: E402
from truceline.ledger.notes import Checkpoint, add_signature_lines, cosign, sign_note  # noqa: E402
from truceline.ledger.signing import Signer  # noqa: E402

ORIGIN = "truceline.example/ledger"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "ledger.md"


def build_signer(name: str) -> Signer:
    return Signer(name=name, seed=hashlib.sha256(name.encode()).digest())


def build_export() -> tuple[str, str, bytes]:
    log, witness, mediator = (
        build_signer(ORIGIN),
        build_signer("witness.example/pk"),
        build_signer("med.example/a"),
    )
    kinds = ["document.ingested", "claim.created", "incident.merged", "complaint.filed", "finding.adopted"]
    entries = [
        LedgerEntry(
            seq=seq,
            kind=kind,
            record_id=f"R-{seq}",
            author="med.example/a" if kind == "complaint.filed" else "secretariat",
            time=f"2025-10-25T10:0{seq}:00.000000Z",
            commitment=commitment({"id": f"R-{seq}", "note": "Ünïcode — ok"}, bytes(16)),
        )
        for seq, kind in enumerate(kinds)
    ]
    leaf_hashes = [entry.leaf_hash() for entry in entries]
    notes = []
    for size in (2, 5):
        body = Checkpoint(ORIGIN, size, root_from_leaf_hashes(leaf_hashes[:size])).body()
        notes.append(add_signature_lines(sign_note(body, [log]), [cosign(body, witness, 1761386400)]))
    pairs = [
        (e, AuthorSignature(mediator.vkey(), mediator.sign(e.to_bytes())) if e.seq == 3 else None)
        for e in entries
    ]
    text = "".join(write_log(origin=ORIGIN, log_vkey=log.vkey(), entries=pairs, checkpoints=notes))
    return text, log.vkey(), root_from_leaf_hashes(leaf_hashes)


def test_an_export_verifies_with_a_verifier_written_from_the_docs() -> None:
    text, log_vkey, root = build_export()
    assert independent_verify(text, log_vkey) == (5, root)


def test_the_example_export_in_the_docs_verifies_with_the_independent_verifier() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    example = next(
        b for b in re.findall(r"```\n(.*?)```", docs, flags=re.DOTALL) if b.startswith('{"format"')
    )
    log_vkey = re.search(r"log key \(vkey\): `([^`]+)`", docs)
    assert log_vkey
    assert independent_verify(example, log_vkey.group(1))[0] == 3


def test_the_independent_verifier_rejects_a_tampered_export() -> None:
    text, log_vkey, _ = build_export()
    with pytest.raises(ValueError, match="entry seq 1 changed"):
        independent_verify(text.replace('"record_id":"R-1"', '"record_id":"R-9"'), log_vkey)
    lines = text.splitlines(keepends=True)
    obj = json.loads(lines[4])
    obj["entry"]["author"] = "someone else"
    data = json.dumps(obj["entry"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    obj["leaf_hash"] = sha256(b"\x00" + data).hex()
    forged = "".join([*lines[:4], json.dumps(obj) + "\n", *lines[5:]])
    with pytest.raises(ValueError, match="an entry from seq 2 on changed"):
        independent_verify(forged, log_vkey)
    with pytest.raises(nacl.exceptions.BadSignatureError):
        independent_verify(text.replace("\\n5\\n", "\\n4\\n", 1), log_vkey)
