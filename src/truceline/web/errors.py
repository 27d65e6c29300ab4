"""The only place that maps Truceline errors to HTTP status codes (JSON for /api, pages for browsers)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from truceline.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TrucelineError
from truceline.users.rules import Principal

STATUS_BY_ERROR: tuple[tuple[type[TrucelineError], int], ...] = (
    (NotFound, 404),
    (PermissionDenied, 403),
    (Conflict, 409),
    (InvalidInput, 422),
    (TrucelineError, 400),
)

_MEANING = {400: "Refused", 403: "Not allowed", 404: "Not found", 409: "Conflict", 422: "Invalid input"}


class ErrorBody(BaseModel):
    """Every API error, validation included: one human line saying what was expected and what was found."""

    detail: str


# What the OpenAPI schema says each error status returns; FastAPI's own 422 shape (a list) is never sent.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": _MEANING[status]}
    for _, status in sorted(STATUS_BY_ERROR, key=lambda pair: pair[1])
}


def status_for(exc: TrucelineError) -> int:
    return next(status for kind, status in STATUS_BY_ERROR if isinstance(exc, kind))


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_response(request: Request, status: int, message: str) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=status)
    from truceline.web.pages.rendering import render

    signed_in = request.cookies.get("truceline_session") is not None or "authorization" in request.headers
    if status == 403 and not signed_in and request.method == "GET":
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    return render(
        request, "error.html", Principal.anonymous(), status_code=status, status=status, message=message
    )


def install_error_handlers(app: FastAPI) -> None:
    async def on_truceline_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, TrucelineError)
        return _error_response(request, status_for(exc), exc.diagnostics())

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return _error_response(request, 422, f"{where}: {first.get('msg', 'invalid')}")

    app.add_exception_handler(TrucelineError, on_truceline_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    _document_error_bodies(app)


def _document_error_bodies(app: FastAPI) -> None:
    """Errors are JSON whatever the route returns on success (a text/plain checkpoint, say)."""
    build_schema = app.openapi
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}

    def openapi() -> dict[str, Any]:
        schema = build_schema()
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if status.startswith("4"):
                        response["content"] = body
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
