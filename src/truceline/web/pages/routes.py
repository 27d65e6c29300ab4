"""HTML pages: dashboard, documents, ledger and the offline map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from truceline.documents import service as documents
from truceline.web.deps import RuntimeDep, SessionDep
from truceline.workflows import dashboard, ledger_views

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")


def render(request: Request, name: str, runtime: Any, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"scenario": runtime.scenario, **context})


@router.get("/", response_class=HTMLResponse)
def dashboard_page(request: Request, session: SessionDep, runtime: RuntimeDep) -> HTMLResponse:
    return render(request, "dashboard.html", runtime, stats=dashboard.collect_stats(session))


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, session: SessionDep, runtime: RuntimeDep, page: int = 1) -> HTMLResponse:
    page = max(page, 1)
    items = documents.list_documents(session, limit=50, offset=(page - 1) * 50)
    total = documents.count_documents(session)
    return render(request, "documents.html", runtime, documents=items, total=total, page=page)


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(
    request: Request, document_id: str, session: SessionDep, runtime: RuntimeDep
) -> HTMLResponse:
    view = dashboard.document_view(session, document_id)
    return render(request, "document.html", runtime, **view)


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(request: Request, session: SessionDep, runtime: RuntimeDep, page: int = 1) -> HTMLResponse:
    page = max(page, 1)
    entries = ledger_views.list_entries(session, limit=100, offset=(page - 1) * 100)
    checkpoint = dashboard.find_published_checkpoint(session)
    return render(
        request,
        "ledger.html",
        runtime,
        entries=entries,
        checkpoint=checkpoint,
        page=page,
        log_key=runtime.signer.vkey(),
    )


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    return render(request, "map.html", runtime)
