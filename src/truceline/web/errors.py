"""The only place that maps Truceline errors to HTTP status codes (JSON for /api, pages for browsers)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response

from truceline.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TrucelineError
from truceline.users.rules import Principal

STATUS_BY_ERROR: tuple[tuple[type[TrucelineError], int], ...] = (
    (NotFound, 404),
    (PermissionDenied, 403),
    (Conflict, 409),
    (InvalidInput, 422),
    (TrucelineError, 400),
)


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
