"""Rendering pages: templates (autoescaped), the signed-in principal, and the CSRF cookie for forms."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from truceline.users.rules import Action, Principal, scopes_for
from truceline.views.notices import unread_count
from truceline.web.deps import CSRF_COOKIE, csrf_value, get_runtime, is_secure_cookie
from truceline.wording import Wording


def _unread_notices(request: Request, principal: Principal) -> int | None:
    """A party liaison's unread notices, for the header on every page; None for everyone else."""
    if principal.party is None:
        return None
    with get_runtime(request).sessions() as session:
        return unread_count(session, principal)


@cache
def templates() -> Jinja2Templates:
    return Jinja2Templates(directory=Path(__file__).parent.parent / "templates")


def render(
    request: Request, name: str, principal: Principal, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    csrf = csrf_value(request)
    scenario = get_runtime(request).scenario
    response = templates().TemplateResponse(
        request,
        name,
        {
            "scenario": scenario,
            "say": Wording(scenario),
            "unread_notices": _unread_notices(request, principal),
            "principal": principal,
            "can": lambda action: bool(scopes_for(principal.role, Action(action))),
            "csrf_token": csrf,
            **context,
        },
        status_code=status_code,
    )
    if request.cookies.get(CSRF_COOKIE) != csrf:
        response.set_cookie(
            CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=is_secure_cookie(request)
        )
    return response
