"""The blob store: content-addressed originals, never overwritten, checked on read; working copies apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from truceline.cases.blobs import BlobStore, check_upload_size, safe_filename, sha256_hex
from truceline.errors import InvalidInput, VerificationError

LIMIT = 1024


def test_an_original_is_stored_read_only_under_its_sha256(tmp_path: Path) -> None:
    store = BlobStore(tmp_path, max_bytes=LIMIT)
    blob = store.put_original(b"photo bytes")
    sha = sha256_hex(b"photo bytes")
    assert blob.path == tmp_path / "originals" / sha[:2] / sha
    assert blob.is_new
    assert blob.path.stat().st_mode & 0o222 == 0
    assert store.read_original(sha) == b"photo bytes"


def test_storing_the_same_content_again_keeps_the_first_file(tmp_path: Path) -> None:
    store = BlobStore(tmp_path, max_bytes=LIMIT)
    first = store.put_original(b"same")
    mtime = first.path.stat().st_mtime_ns
    again = store.put_original(b"same")
    assert not again.is_new
    assert again.path.stat().st_mtime_ns == mtime
    assert [p.name for p in first.path.parent.iterdir()] == [first.sha256]


def test_a_changed_original_on_disk_is_detected(tmp_path: Path) -> None:
    store = BlobStore(tmp_path, max_bytes=LIMIT)
    blob = store.put_original(b"genuine")
    blob.path.chmod(0o644)
    blob.path.write_bytes(b"doctored")
    with pytest.raises(VerificationError, match="has changed"):
        store.read_original(blob.sha256)


def test_a_working_copy_lives_apart_from_the_original(tmp_path: Path) -> None:
    store = BlobStore(tmp_path, max_bytes=LIMIT)
    blob = store.put_original(b"raw footage")
    copy = store.checkout_working_copy(blob.sha256)
    assert copy.is_relative_to(tmp_path / "working")
    copy.write_bytes(b"annotated")
    assert store.read_original(blob.sha256) == b"raw footage"


def test_uploaded_names_never_become_paths() -> None:
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\x\\photo.jpg") == "photo.jpg"
    assert safe_filename("..") == "upload"
    assert safe_filename("a\x00b\nc.jpg") == "abc.jpg"


def test_empty_and_oversized_uploads_are_refused() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        check_upload_size(0, max_bytes=LIMIT)
    with pytest.raises(InvalidInput, match="the limit is"):
        check_upload_size(LIMIT + 1, max_bytes=LIMIT)
    check_upload_size(LIMIT, max_bytes=LIMIT)


def test_the_store_refuses_a_file_above_its_limit(tmp_path: Path) -> None:
    store = BlobStore(tmp_path, max_bytes=4)
    with pytest.raises(InvalidInput, match="5 bytes; the limit is 4 bytes"):
        store.put_original(b"12345")
    assert not (tmp_path / "originals").exists()


def test_a_hash_that_is_not_sha256_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="64 hex digits"):
        BlobStore(tmp_path, max_bytes=LIMIT).original_path("../../etc/passwd")
