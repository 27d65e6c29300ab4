"""The API docs page (/docs): Swagger UI over /openapi.json, started from a static script, not inline."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from truceline.web.headers import API_DOCS_PATH
from truceline.web.pages.rendering import templates

router = APIRouter(include_in_schema=False)


@router.get(API_DOCS_PATH, response_class=HTMLResponse)
def api_docs_page(request: Request) -> HTMLResponse:
    openapi_url = request.app.openapi_url or "/openapi.json"
    return templates().TemplateResponse(request, "api_docs.html", {"openapi_url": openapi_url})
