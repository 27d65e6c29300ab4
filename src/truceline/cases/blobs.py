"""The evidence blob store: files content-addressed by SHA-256, originals apart from working copies.

Layout under the store's root (settings.home / "blobs"), after the Berkeley Protocol's rule that the
original is preserved untouched and all work happens on copies:

    originals/<sha[:2]>/<sha>          written once, read-only, never overwritten
    working/<sha[:2]>/<sha>/<copy id>  a fresh copy per checkout, free to annotate or transcode

Names on disk come only from the hash and from ids we generate; an uploaded file's name is never
used as a path.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from truceline.errors import InvalidInput, NotFound, VerificationError

MAX_FILENAME_CHARS = 200
_SHA256 = re.compile(r"[0-9a-f]{64}")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_sha256(value: str) -> str:
    """A SHA-256 as 64 lowercase hex digits (uppercase is folded), or InvalidInput."""
    folded = value.strip().lower()
    if not _SHA256.fullmatch(folded):
        raise InvalidInput(f"sha256: expected 64 hex digits, got {value[:80]!r}")
    return folded


def check_upload_size(size_bytes: int, *, max_bytes: int) -> None:
    """An evidence file must hold something and at most `max_bytes` (settings.max_upload_bytes)."""
    if size_bytes == 0:
        raise InvalidInput("evidence file is empty")
    if size_bytes > max_bytes:
        raise InvalidInput(f"evidence file is {size_bytes} bytes; the limit is {max_bytes} bytes")


def safe_filename(name: str) -> str:
    """The uploaded name as metadata only: last path component, no control characters, bounded length."""
    last = re.split(r"[\\/]", name)[-1]
    cleaned = "".join(c for c in last if c.isprintable()).strip().lstrip(".")
    return cleaned[:MAX_FILENAME_CHARS] or "upload"


@dataclass(frozen=True, slots=True)
class StoredBlob:
    sha256: str
    size_bytes: int
    path: Path
    is_new: bool


class BlobStore:
    """A directory of evidence files; every method checks hashes, none trusts a name from outside."""

    def __init__(self, root: Path, *, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def check_size(self, size_bytes: int) -> None:
        check_upload_size(size_bytes, max_bytes=self.max_bytes)

    def original_path(self, sha256: str) -> Path:
        sha = check_sha256(sha256)
        return self.root / "originals" / sha[:2] / sha

    def has_original(self, sha256: str) -> bool:
        return self.original_path(sha256).is_file()

    def put_original(self, data: bytes) -> StoredBlob:
        """Store `data` under its SHA-256; a blob already present is kept as it is (same hash, same bytes)."""
        self.check_size(len(data))
        sha = sha256_hex(data)
        final = self.original_path(sha)
        if final.is_file():
            return StoredBlob(sha256=sha, size_bytes=len(data), path=final, is_new=False)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.parent / f".incoming-{uuid.uuid4().hex}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o444)
            try:
                # link() fails if the name exists, so a racing writer can never replace an original.
                os.link(tmp, final)
                is_new = True
            except FileExistsError:
                is_new = False
        finally:
            tmp.unlink(missing_ok=True)
        return StoredBlob(sha256=sha, size_bytes=len(data), path=final, is_new=is_new)

    def read_original(self, sha256: str) -> bytes:
        """The original's bytes, checked against their name: a changed file on disk is an error, not data."""
        path = self.original_path(sha256)
        if not path.is_file():
            raise NotFound("evidence blob", sha256)
        data = path.read_bytes()
        got = sha256_hex(data)
        if got != check_sha256(sha256):
            raise VerificationError(f"blob {sha256} on disk has changed: its content hashes to {got}")
        return data

    def checkout_working_copy(self, sha256: str) -> Path:
        """A new writable copy of an original under working/; the original is never handed out."""
        source = self.original_path(sha256)
        self.read_original(sha256)  # refuse to copy a damaged original
        target = self.root / "working" / source.name[:2] / source.name / uuid.uuid4().hex
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        os.chmod(target, 0o600)
        return target
