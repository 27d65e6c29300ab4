"""The app factory: one FastAPI app per runtime; nothing is created at import."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from truceline import __version__
from truceline.runtime import Runtime
from truceline.web.api import alerts, desk, documents, geo, ledger, notices, review, users, verification
from truceline.web.errors import ERROR_RESPONSES, install_error_handlers
from truceline.web.headers import SecurityHeaders
from truceline.web.inputs import reject_nul_characters
from truceline.web.pages import alerts as alert_pages
from truceline.web.pages import api_docs, auth
from truceline.web.pages import desk as desk_pages
from truceline.web.pages import exports as export_pages
from truceline.web.pages import notices as notice_pages
from truceline.web.pages import reports as report_pages
from truceline.web.pages import routes as pages
from truceline.web.pages import verification as verification_pages
from truceline.web.proxies import TrustedProxies

STATIC_DIR = Path(__file__).parent / "static"


def create_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(
        title="Truceline",
        version=__version__,
        description="Ceasefire monitoring and verification: records, claims, incidents, the public ledger.",
        docs_url=None,  # served by pages.api_docs without inline script, so the CSP can forbid it
        redoc_url=None,
        dependencies=[Depends(reject_nul_characters)],
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    for router in (
        documents.router,
        review.router,
        verification.router,
        ledger.router,
        geo.router,
        desk.router,
        alerts.router,
        notices.router,
        users.router,
    ):
        app.include_router(router, prefix="/api", responses=ERROR_RESPONSES)
    app.include_router(desk_pages.router)
    app.include_router(pages.router)
    app.include_router(auth.router)
    app.include_router(api_docs.router)
    app.include_router(verification_pages.router)
    for page_router in (report_pages.router, export_pages.router, alert_pages.router, notice_pages.router):
        app.include_router(page_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # The last added middleware runs first: proxies are resolved before anything reads the client.
    app.add_middleware(SecurityHeaders, tiles_url=runtime.settings.map_tiles)
    app.add_middleware(TrustedProxies, trusted=runtime.settings.trusted_proxies)
    return app
