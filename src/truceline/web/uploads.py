"""Reading an uploaded evidence file with a size cap, the same for the API and the pages."""

from __future__ import annotations

from fastapi import UploadFile

from truceline.errors import InvalidInput

MAX_UPLOAD_BYTES = 50_000_000


async def read_upload(file: UploadFile | None) -> tuple[str, bytes] | None:
    """(file name, bytes), or None when no file was chosen (a form posts an empty, nameless part then).

    Reads at most one byte past the cap, so an oversized upload is refused without holding it in memory.
    """
    if file is None or not file.filename:
        return None
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"file: expected at most {MAX_UPLOAD_BYTES // 1_000_000} MB, found more")
    return file.filename, data
