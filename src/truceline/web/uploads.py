"""Reading an uploaded evidence file with a size cap, the same for the API and the pages."""

from __future__ import annotations

from fastapi import UploadFile

from truceline.errors import InvalidInput


async def read_upload(file: UploadFile | None, *, max_bytes: int) -> tuple[str, bytes] | None:
    """(file name, bytes), or None when no file was chosen (a form posts an empty, nameless part then).

    `max_bytes` is settings.max_upload_bytes, the limit the CLI and the blob store apply too. Reads at
    most one byte past it, so an oversized upload is refused without holding all of it in memory.
    """
    if file is None or not file.filename:
        return None
    data = await file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput(f"file: expected at most {max_bytes} bytes, found more")
    return file.filename, data
