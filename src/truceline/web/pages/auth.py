"""Sign-in and sign-out pages: a password login issues a short-lived session token kept in a cookie."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from truceline.users.rules import Principal
from truceline.web.deps import SESSION_COOKIE, PrincipalDep, RuntimeDep, check_csrf, is_secure_cookie, now_utc
from truceline.web.pages.rendering import render
from truceline.workflows.accounts import attempt_login, issue_token, revoke_session_token

router = APIRouter(include_in_schema=False)
SESSION_TTL = timedelta(hours=12)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, principal: PrincipalDep) -> HTMLResponse:
    return render(request, "login.html", principal, error="")


@router.post("/login", response_model=None)
def login_submit(
    request: Request,
    runtime: RuntimeDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    client = request.client.host if request.client else ""
    with runtime.transaction() as session:
        attempt = attempt_login(
            session,
            username=username,
            password=password,
            now=now_utc(),
            client=client,
            throttle=runtime.throttle,
        )
        token = None
        if attempt.principal is not None:
            name = attempt.principal.username
            token = issue_token(session, username=name, author=f"user:{name}", now=now_utc(), ttl=SESSION_TTL)
    if token is None:
        return render(request, "login.html", Principal.anonymous(), error=attempt.refusal, status_code=401)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=is_secure_cookie(request),
        max_age=int(SESSION_TTL.total_seconds()),
    )
    return response


@router.post("/logout")
def logout(
    request: Request, runtime: RuntimeDep, csrf_token: Annotated[str, Form()] = ""
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with runtime.transaction() as session:
            revoke_session_token(session, token=token, now=now_utc())
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
