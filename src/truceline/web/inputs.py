"""What a request's input must be before any route reads it: text without NUL, paging numbers in range.

PostgreSQL refuses NUL in text, and its OFFSET is a bigint; SQLite accepts both. Checking here, at
the edge, gives one answer on both databases: a 422 with the usual error body, never a 500.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from starlette.datastructures import UploadFile

from truceline.errors import InvalidInput

# Far beyond any real table, far below a bigint: (page - 1) * page size stays under MAX_OFFSET for
# page sizes up to 1,000.
MAX_OFFSET = 1_000_000_000
MAX_PAGE = MAX_OFFSET // 1_000

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip")]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1")]
Limit = Annotated[int, Query(ge=1, le=500, description="Items to return")]

NUL = "\x00"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def find_nul(value: Any, where: str) -> str | None:
    """The location of the first text holding NUL in a decoded JSON value (keys included), or None.

    Walked with a stack rather than recursion (a hostile body may nest deeply), in document order.
    """
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return at
        elif isinstance(item, dict):
            if any(NUL in str(key) for key in item):
                return at
            stack.extend(reversed([(child, f"{at}.{key}") for key, child in item.items()]))
        elif isinstance(item, list):
            stack.extend(reversed([(child, f"{at}.{index}") for index, child in enumerate(item)]))
    return None


async def _nul_location(request: Request) -> str | None:
    if NUL in request.url.path:
        return "path"
    for key, value in request.query_params.multi_items():
        if NUL in key or NUL in value:
            return f"query.{key}"
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(_FORM_TYPES):
        for key, field in (await request.form()).multi_items():
            # A file's bytes are the evidence itself and may hold anything; only its name is text.
            text = (field.filename or "") if isinstance(field, UploadFile) else field
            if NUL in key or NUL in text:
                return f"body.{key}"
    elif _is_json(content_type) and await request.body():
        try:
            decoded = await request.json()
        except ValueError as exc:
            raise InvalidInput(f"body: expected JSON, found {exc}") from exc
        return find_nul(decoded, "body")
    return None


async def reject_nul_characters(request: Request) -> None:
    """App-wide dependency: refuse NUL in the path, the query, a form field or a JSON string."""
    where = await _nul_location(request)
    if where is not None:
        raise InvalidInput(f"{where}: expected text without NUL characters, found one")
