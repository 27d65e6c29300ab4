"""Request dependencies: runtime, session, the principal, and the policy check each route declares."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from truceline.errors import PermissionDenied
from truceline.runtime import Runtime
from truceline.users.rules import Action, Principal, scopes_for
from truceline.views.accounts import principal_for_token

SESSION_COOKIE = "truceline_session"
CSRF_COOKIE = "truceline_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_session(request: Request) -> Iterator[Session]:
    with get_runtime(request).sessions() as session:
        yield session


def now_utc() -> datetime:
    return datetime.now(UTC)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SessionDep = Annotated[Session, Depends(get_session)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def check_cookie_write(request: Request) -> None:
    """A write made with the session cookie must carry the CSRF token: in the form field or in the
    X-CSRF-Token header, whatever the body is (urlencoded, multipart with a file, JSON).

    Async because it may read the form; it touches no database, so the event loop never waits on one."""
    if _bearer(request) is not None or request.cookies.get(SESSION_COOKIE) is None:
        return
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        submitted = None
        if request.headers.get("content-type", "").startswith(_FORM_TYPES):
            value = (await request.form()).get(CSRF_FIELD)
            submitted = value if isinstance(value, str) else None
        check_csrf(request, submitted)


def get_principal(
    request: Request, runtime: RuntimeDep, _csrf: Annotated[None, Depends(check_cookie_write)]
) -> Principal:
    """A Bearer token (scripts) or the session cookie (browsers); nobody else is the anonymous public.

    Not async: the token lookup waits for a pooled connection, and it must wait in a worker thread. On the
    event loop, with every connection taken, it would block the loop that returns them (a deadlock until
    the pool's timeout, seen with 20 clients at once: benchmarks/web.py). The lookup has its own short
    session, closed before the route runs: a write route then holds one pooled connection (its unit of
    work), never two, so concurrent writes cannot hold connections while waiting for each other's."""
    token = _bearer(request) or request.cookies.get(SESSION_COOKIE)
    if token is None:
        return Principal.anonymous()
    with runtime.sessions() as session:
        return principal_for_token(session, token, now=now_utc())


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def allow(action: Action) -> Any:
    """`principal: Annotated[Principal, allow(Action.READ_DOCUMENT)]` — the route's entry in the policy.

    The route admits a role that holds any grant of the action; a grant scoped to records (own party,
    assigned case, published) is then checked on the record itself by the service the route calls.
    """

    def check(principal: PrincipalDep) -> Principal:
        if not scopes_for(principal.role, action):
            raise PermissionDenied(f"role {principal.role.value!r} may not {action.value}")
        return principal

    check.__name__ = f"allow_{action.value}"
    return Depends(check)


def check_csrf(request: Request, submitted: str | None = None) -> None:
    """Double-submit check: a cookie-authenticated write must echo the CSRF cookie in a field or header.

    `submitted` is the form field; when it is missing or empty the X-CSRF-Token header is used, so a
    script may send the token the same way for every kind of body.
    """
    cookie = request.cookies.get(CSRF_COOKIE, "")
    given = submitted or request.headers.get(CSRF_HEADER, "")
    if not cookie or not given or not hmac.compare_digest(cookie, given):
        raise PermissionDenied("missing or wrong CSRF token; reload the page and try again")


def is_secure_cookie(request: Request) -> bool:
    """Cookies are Secure over https (as seen directly or told by a trusted proxy), or always when forced."""
    return request.url.scheme == "https" or get_runtime(request).settings.force_secure_cookies


def csrf_value(request: Request) -> str:
    """The CSRF token for forms on this page (set as a cookie by the page renderer when new)."""
    existing: str | None = request.cookies.get(CSRF_COOKIE)
    return existing or secrets.token_urlsafe(24)
