"""Ed25519 keys in the C2SP signed-note formats: signer keys, verifier keys, key hashes, sign and verify."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field

import nacl.exceptions
import nacl.signing

from truceline.errors import InvalidInput, VerificationError

# https://c2sp.org/signed-note §Signature types
ALG_ED25519 = 0x01
# https://c2sp.org/tlog-cosignature: timestamped Ed25519 witness cosignatures
ALG_COSIGNATURE_V1 = 0x04
KEY_SIZE = 32
SIGNATURE_SIZE = 64

_SKEY_PREFIX = "PRIVATE+KEY+"
_ALGORITHMS = {ALG_ED25519: "Ed25519 note signature", ALG_COSIGNATURE_V1: "Ed25519 cosignature/v1"}


def key_hash(name: str, alg: int, public_key: bytes) -> bytes:
    """C2SP signed-note key ID: SHA-256(name || 0x0A || alg || public key)[:4]."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([alg]) + public_key).digest()[:4]


def check_key_name(name: str) -> None:
    """C2SP signed-note: key names are non-empty, with no Unicode spaces, no '+' and no control characters."""
    if not name or "+" in name or any(c.isspace() or ord(c) < 0x20 for c in name):
        raise InvalidInput(f"key name must be non-empty, with no spaces, '+' or control characters: {name!r}")


def generate_key(name: str) -> tuple[str, str]:
    """A new Ed25519 key as (signer key string, verifier key string); keep the first secret."""
    signer = Signer(name=name, seed=nacl.signing.SigningKey.generate().encode())
    return signer.skey(), signer.vkey()


@dataclass(frozen=True, slots=True)
class Signer:
    """A private Ed25519 key with its name. The same key can sign notes (alg 0x01) or cosign (alg 0x04).

    A witness should use a key of its own for cosigning and never the log's key: the two signed
    messages are told apart only by their first line.
    """

    name: str
    seed: bytes = field(repr=False)
    _key: nacl.signing.SigningKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if len(self.seed) != KEY_SIZE:
            raise InvalidInput(f"Ed25519 seed must be {KEY_SIZE} bytes, got {len(self.seed)}")
        object.__setattr__(self, "_key", nacl.signing.SigningKey(self.seed))

    @classmethod
    def from_skey(cls, skey: str) -> Signer:
        """Parse `PRIVATE+KEY+<name>+<hex8 key hash>+<base64(alg || 32-byte seed)>`."""
        if not skey.startswith(_SKEY_PREFIX):
            raise InvalidInput("signer key must start with PRIVATE+KEY+")
        # The alg byte of a signer key does not limit its use: the seed signs notes and cosignatures alike.
        name, _alg, seed = _parse_key_string(skey[len(_SKEY_PREFIX) :], what="signer key", public=False)
        return cls(name=name, seed=seed)

    @property
    def public_key(self) -> bytes:
        return bytes(self._key.verify_key.encode())

    @property
    def key_hash(self) -> bytes:
        """Key ID of this key's note signatures (alg 0x01)."""
        return key_hash(self.name, ALG_ED25519, self.public_key)

    @property
    def cosigner_key_hash(self) -> bytes:
        """Key ID of this key's cosignatures (alg 0x04)."""
        return key_hash(self.name, ALG_COSIGNATURE_V1, self.public_key)

    def skey(self) -> str:
        return _SKEY_PREFIX + _format_key_string(self.name, ALG_ED25519, self.seed, self.key_hash)

    def vkey(self) -> str:
        """Verifier key string for this key's note signatures."""
        return self.verifier().vkey()

    def cosigner_vkey(self) -> str:
        """Verifier key string for this key's cosignatures (what a log client pins for a witness)."""
        return self.verifier().for_cosignatures().vkey()

    def verifier(self) -> Verifier:
        return Verifier(name=self.name, public_key=self.public_key)

    def sign(self, msg: bytes) -> bytes:
        """The 64-byte Ed25519 signature (RFC 8032) of `msg`."""
        return bytes(self._key.sign(msg).signature)


@dataclass(frozen=True, slots=True)
class Verifier:
    """A public Ed25519 key, its name and the signature type it verifies: 0x01 notes, 0x04 cosignatures."""

    name: str
    public_key: bytes
    alg: int = ALG_ED25519

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if len(self.public_key) != KEY_SIZE:
            raise InvalidInput(f"Ed25519 public key must be {KEY_SIZE} bytes, got {len(self.public_key)}")
        if self.alg not in _ALGORITHMS:
            raise InvalidInput(f"key algorithm must be 0x01 or 0x04, got 0x{self.alg:02x}")

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Parse `<name>+<hex8 key hash>+<base64(alg || 32-byte public key)>`, alg 0x01 or 0x04."""
        name, alg, public_key = _parse_key_string(vkey, what="verifier key", public=True)
        return cls(name=name, public_key=public_key, alg=alg)

    @property
    def key_hash(self) -> bytes:
        return key_hash(self.name, self.alg, self.public_key)

    @property
    def is_cosigner(self) -> bool:
        return self.alg == ALG_COSIGNATURE_V1

    def for_cosignatures(self) -> Verifier:
        """The same key and name, as a verifier of tlog-cosignature/v1 signatures (alg 0x04)."""
        return Verifier(name=self.name, public_key=self.public_key, alg=ALG_COSIGNATURE_V1)

    def vkey(self) -> str:
        return _format_key_string(self.name, self.alg, self.public_key, self.key_hash)

    def verify(self, msg: bytes, sig: bytes) -> None:
        """Return None if `sig` is this key's Ed25519 signature of `msg`; raise VerificationError if not."""
        if len(sig) != SIGNATURE_SIZE:
            raise VerificationError(
                f"signature by {self.name} must be {SIGNATURE_SIZE} bytes, got {len(sig)}"
            )
        try:
            nacl.signing.VerifyKey(self.public_key).verify(msg, sig)
        except nacl.exceptions.BadSignatureError as exc:
            raise VerificationError(
                f"signature by {self.name} ({self.key_hash.hex()}) does not verify"
            ) from exc


def _format_key_string(name: str, alg: int, key: bytes, hash4: bytes) -> str:
    return f"{name}+{hash4.hex()}+{base64.b64encode(bytes([alg]) + key).decode('ascii')}"


def _parse_key_string(text: str, *, what: str, public: bool) -> tuple[str, int, bytes]:
    """Split `<name>+<hex8>+<base64(alg || key)>` and check every part, the key hash included."""
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise InvalidInput(f"{what} must look like <name>+<hex8>+<base64 key>")
    name, hash_hex, key_b64 = parts
    check_key_name(name)
    if len(hash_hex) != 8 or hash_hex != hash_hex.lower():
        raise InvalidInput(f"{what} hash must be 8 lowercase hex digits, got {hash_hex!r}")
    try:
        stated_hash = bytes.fromhex(hash_hex)
        raw = base64.b64decode(key_b64, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise InvalidInput(f"{what} for {name} has a malformed hash or base64 key") from exc
    if len(raw) != 1 + KEY_SIZE or raw[0] not in _ALGORITHMS:
        raise InvalidInput(f"{what} for {name} must hold 0x01 or 0x04 and a {KEY_SIZE}-byte Ed25519 key")
    alg, key = raw[0], raw[1:]
    public_key = key if public else bytes(nacl.signing.SigningKey(key).verify_key.encode())
    expected = key_hash(name, alg, public_key)
    if stated_hash != expected:
        raise InvalidInput(
            f"{what} for {name} states key hash {hash_hex}, but the key's hash is {expected.hex()}"
        )
    return name, alg, key
