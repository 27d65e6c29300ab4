"""Ed25519 signer and verifier keys in the C2SP signed-note formats."""

from __future__ import annotations

import base64
import hashlib

import pytest

from truceline.errors import InvalidInput, VerificationError
from truceline.ledger.signing import ALG_COSIGNATURE_V1, ALG_ED25519, Signer, Verifier, generate_key, key_hash

# The example key of golang.org/x/mod/sumdb/note (the reference implementation of signed notes).
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    b"If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_SIG = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
# The verifier key example of https://c2sp.org/signed-note.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"


def test_signer_key_from_the_go_reference_gives_its_verifier_key_and_signature() -> None:
    signer = Signer.from_skey(GO_SKEY)
    assert signer.name == "PeterNeumann"
    assert signer.key_hash.hex() == "c74f20a3"
    assert signer.vkey() == GO_VKEY
    assert signer.skey() == GO_SKEY
    assert base64.b64encode(signer.key_hash + signer.sign(GO_TEXT)).decode() == GO_SIG


def test_verifier_key_round_trips_and_verifies_the_reference_signature() -> None:
    verifier = Verifier.from_vkey(GO_VKEY)
    assert verifier.vkey() == GO_VKEY
    verifier.verify(GO_TEXT, base64.b64decode(GO_SIG)[4:])


def test_verifier_key_from_the_c2sp_spec_parses_with_its_key_hash() -> None:
    verifier = Verifier.from_vkey(SPEC_VKEY)
    assert (verifier.name, verifier.key_hash.hex(), verifier.alg) == (
        "example.com/foo",
        "530d903a",
        ALG_ED25519,
    )
    assert verifier.vkey() == SPEC_VKEY


def test_key_hash_is_the_first_four_bytes_of_sha256_of_name_newline_alg_and_key() -> None:
    public_key = bytes(range(32))
    expected = hashlib.sha256(b"w.example/1\n\x04" + public_key).digest()[:4]
    assert key_hash("w.example/1", ALG_COSIGNATURE_V1, public_key) == expected


def test_generated_keys_parse_back_and_sign_for_each_other() -> None:
    skey, vkey = generate_key("mediator.example/desk")
    signer, verifier = Signer.from_skey(skey), Verifier.from_vkey(vkey)
    assert signer.vkey() == vkey
    verifier.verify(b"hello", signer.sign(b"hello"))


def test_cosigner_key_shares_the_key_material_but_has_its_own_key_hash() -> None:
    signer = Signer.from_skey(generate_key("witness.example/pk")[0])
    cosigner = Verifier.from_vkey(signer.cosigner_vkey())
    assert cosigner.public_key == signer.public_key
    assert cosigner.is_cosigner and cosigner.alg == ALG_COSIGNATURE_V1
    assert cosigner.key_hash == signer.cosigner_key_hash != signer.key_hash
    assert signer.verifier().for_cosignatures() == cosigner
    assert base64.b64decode(signer.cosigner_vkey().split("+", 2)[2])[0] == 0x04


def test_verify_refuses_a_changed_message_a_short_signature_and_another_key() -> None:
    signer = Signer.from_skey(GO_SKEY)
    sig = signer.sign(b"message")
    with pytest.raises(VerificationError, match="does not verify"):
        signer.verifier().verify(b"messagE", sig)
    with pytest.raises(VerificationError, match="64 bytes"):
        signer.verifier().verify(b"message", sig[:-1])
    with pytest.raises(VerificationError):
        Verifier.from_vkey(generate_key("other")[1]).verify(b"message", sig)


def test_signer_repr_does_not_show_the_private_key() -> None:
    signer = Signer.from_skey(GO_SKEY)
    assert repr(signer) == "Signer(name='PeterNeumann')"


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        ("PeterNeumann+c74f20a3", "must look like"),
        ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key name"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key name"),
        ("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 lowercase hex"),
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key's hash is c74f20a3"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "malformed"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy", "32-byte"),
        ("PeterNeumann+c74f20a3+Alpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "0x01 or 0x04"),
    ],
)
def test_malformed_verifier_keys_are_refused_with_a_one_line_reason(vkey: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        Verifier.from_vkey(vkey)
    assert "\n" not in str(caught.value)


def test_malformed_signer_keys_are_refused() -> None:
    with pytest.raises(InvalidInput, match="PRIVATE\\+KEY"):
        Signer.from_skey(GO_VKEY)
    with pytest.raises(InvalidInput, match="key's hash"):
        Signer.from_skey(GO_SKEY.replace("c74f20a3", "00000000"))


def test_key_names_with_a_plus_are_refused() -> None:
    with pytest.raises(InvalidInput, match="key name"):
        generate_key("a+b")
