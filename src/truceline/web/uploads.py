"""Evidence files over HTTP: reading an upload with a size cap, and serving a stored file as a download."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote

from fastapi import UploadFile
from fastapi.responses import Response

from truceline.errors import InvalidInput


def read_upload(file: UploadFile | None, *, max_bytes: int) -> tuple[str, bytes] | None:
    """(file name, bytes), or None when no file was chosen (a form posts an empty, nameless part then).

    `max_bytes` is settings.max_upload_bytes, the limit the CLI and the blob store apply too. Reads at
    most one byte past it, so an oversized upload is refused without holding all of it in memory. It reads
    the spooled file directly: routes that take uploads are plain functions, run in worker threads like
    every route that touches the database (on the event loop, waiting for a pooled connection would stall
    every request).
    """
    if file is None or not file.filename:
        return None
    data = file.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput(f"file: expected at most {max_bytes} bytes, found more")
    return file.filename, data


# Served with their own type; anything else (HTML, SVG, scripts: what a browser might run) as bytes.
INERT_MEDIA_TYPES = frozenset(
    {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "text/plain",
        "video/mp4",
        "video/webm",
        "audio/mpeg",
        "audio/mp4",
    }
)


def file_download(data: bytes, *, filename: str, media_type: str, sha256: str) -> Response:
    """A stored evidence file as an attachment, never shown inline, with its hash (RFC 9530 Repr-Digest)
    so the receiver can check it against the SHA-256 on the case page and in the ledger."""
    served = media_type if media_type in INERT_MEDIA_TYPES else "application/octet-stream"
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        data,
        media_type=served,
        headers={
            "Content-Disposition": disposition,
            "Repr-Digest": f"sha-256=:{digest}:",
            "X-Evidence-SHA256": sha256,
            "Cache-Control": "no-store",
        },
    )
