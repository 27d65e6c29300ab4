"""The secretariat's log-signing key on disk: created once by `truceline init`, readable only by its owner."""

from __future__ import annotations

import os
from pathlib import Path

from truceline.errors import InvalidInput
from truceline.ledger.signing import Signer, Verifier, generate_key


def ensure_log_key(*, key_path: Path, pub_path: Path, name: str) -> Signer:
    """Load the log key, creating it (mode 0600) and its public half when absent."""
    if not key_path.exists():
        key_path.parent.mkdir(parents=True, exist_ok=True)
        skey, vkey = generate_key(name)
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(skey + "\n")
        pub_path.write_text(vkey + "\n", encoding="utf-8")
    return load_signer(key_path)


def load_signer(path: Path) -> Signer:
    if not path.is_file():
        raise InvalidInput(f"{path}: no such key file (run `truceline init` or `truceline keys generate`)")
    return Signer.from_skey(path.read_text(encoding="utf-8").strip())


def load_verifier(path_or_key: str) -> Verifier:
    """A verifier from a vkey string or a file holding one."""
    candidate = Path(path_or_key)
    if "+" not in path_or_key or candidate.is_file():
        if not candidate.is_file():
            raise InvalidInput(f"{path_or_key}: expected a public key file or a name+hash+key string")
        path_or_key = candidate.read_text(encoding="utf-8").strip()
    return Verifier.from_vkey(path_or_key)
