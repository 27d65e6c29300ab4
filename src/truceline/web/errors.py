"""The only place that maps Truceline errors to HTTP status codes."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from truceline.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TrucelineError

STATUS_BY_ERROR: tuple[tuple[type[TrucelineError], int], ...] = (
    (NotFound, 404),
    (PermissionDenied, 403),
    (Conflict, 409),
    (InvalidInput, 422),
    (TrucelineError, 400),
)


def status_for(exc: TrucelineError) -> int:
    return next(status for kind, status in STATUS_BY_ERROR if isinstance(exc, kind))


def install_error_handlers(app: FastAPI) -> None:
    async def on_truceline_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, TrucelineError)
        return JSONResponse({"detail": exc.diagnostics()}, status_code=status_for(exc))

    async def on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return JSONResponse({"detail": f"{where}: {first.get('msg', 'invalid')}"}, status_code=422)

    app.add_exception_handler(TrucelineError, on_truceline_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
