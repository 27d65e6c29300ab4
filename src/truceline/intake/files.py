"""Local files as documents: document JSON, plain text, and `load_path` for anything intake can read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from truceline.errors import InvalidInput
from truceline.intake.document_json import documents_from_json
from truceline.intake.formats import documents_from_bytes, sniff_kind
from truceline.intake.text import document_from_text
from truceline.pipeline.document import SourceDocument

MAX_FILE_BYTES = 20_000_000


def load_document_json(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> SourceDocument:
    """The one document in a document JSON file (`{id, url, outlet, published, title, text, ...}`)."""
    source = str(path)
    documents = documents_from_json(read_capped(path, max_bytes=max_bytes), source=source)
    if len(documents) != 1:
        raise InvalidInput(f"{source}: expected one document object, found a list of {len(documents)}")
    return documents[0]


def load_text_file(
    path: Path,
    *,
    published: date | None,
    doc_id: str | None = None,
    url: str = "",
    outlet: str = "",
    title: str = "",
    max_bytes: int = MAX_FILE_BYTES,
) -> SourceDocument:
    """A UTF-8 text file as one document; without `doc_id` the id derives from the content hash."""
    data = read_capped(path, max_bytes=max_bytes)
    return document_from_text(
        data, source=str(path), published=published, doc_id=doc_id, url=url, outlet=outlet, title=title
    )


def load_path(
    path: Path, *, published: date | None = None, max_bytes: int = MAX_FILE_BYTES
) -> list[SourceDocument]:
    """Every document in a file, whatever intake format it is in (sniffed from the content).

    Document JSON (one object or a list), JSON Lines, plain text, HTML, RSS/Atom and PDF are read;
    anything else is InvalidInput. See `documents_from_bytes` for how `published` is applied.
    """
    return documents_from_file_bytes(read_capped(path, max_bytes=max_bytes), path=path, published=published)


def documents_from_file_bytes(
    data: bytes, *, path: Path, published: date | None = None
) -> list[SourceDocument]:
    """Every document in the bytes read from `path` (which names them in messages; its suffix breaks ties).

    `load_path` without the reading, so the parsing can run where the file is not (on a Dask worker)."""
    kind = sniff_kind(data, source=str(path), suffix=path.suffix.lower())
    return documents_from_bytes(data, kind=kind, source=str(path), published=published)


def read_capped(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file, refusing to read more than `max_bytes` of it."""
    source = str(path)
    if not path.exists():
        raise InvalidInput(f"{source}: no such file")
    if path.is_dir():
        raise InvalidInput(f"{source}: expected a file, found a directory")
    try:
        with path.open("rb") as handle:
            # One byte more than the cap tells "exactly at the cap" from "over it" without reading the rest;
            # the size on disk is not trusted (pipes and /proc files report 0).
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InvalidInput(f"{source}: cannot be read ({exc.strerror or exc})") from exc
    if len(data) > max_bytes:
        raise InvalidInput(f"{source}: expected at most {describe_size(max_bytes)}, found a larger file")
    return data


def describe_size(size_bytes: int) -> str:
    """20_000_000 -> "20 MB" (decimal megabytes, as people say them)."""
    if size_bytes >= 1_000_000:
        return f"{size_bytes / 1_000_000:g} MB"
    if size_bytes >= 1_000:
        return f"{size_bytes / 1_000:g} kB"
    return f"{size_bytes} bytes"
