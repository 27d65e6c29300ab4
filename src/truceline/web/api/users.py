"""API tokens of accounts (JSON API): issue one (shown once), list them, revoke one by its id."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path

from truceline.users.rules import Action, Principal
from truceline.users.schemas import TokenCreate, TokenIssued, TokenRead, TokenRevocationRead
from truceline.views import accounts as account_views
from truceline.web.deps import RuntimeDep, SessionDep, allow, now_utc
from truceline.workflows import accounts as flow

router = APIRouter(tags=["users"])
Manager = Annotated[Principal, allow(Action.MANAGE_USERS)]
Username = Annotated[str, Path(max_length=80)]
TokenId = Annotated[str, Path(max_length=80)]


@router.post("/users/{username}/tokens", response_model=TokenIssued, status_code=201)
def issue_token(
    username: Username, body: TokenCreate, runtime: RuntimeDep, principal: Manager
) -> TokenIssued:
    """A new API token for the user; the response is the only place the token ever appears."""
    ttl = timedelta(days=body.expires_days)
    with runtime.transaction() as session:
        issued = flow.issue_api_token(
            session, username=username, author=principal.username, now=now_utc(), ttl=ttl
        )
    return TokenIssued.model_validate(issued)


@router.get("/users/{username}/tokens", response_model=list[TokenRead])
def list_tokens(username: Username, session: SessionDep, principal: Manager) -> list[TokenRead]:
    account_views.get_user(session, username)  # an unknown user is a 404, not an empty list
    tokens = account_views.list_tokens(session, username=username)
    return [
        TokenRead.of(token, is_revoked=account_views.is_token_revoked(session, token)) for token in tokens
    ]


@router.post("/tokens/{token_id}/revoke", response_model=TokenRevocationRead, status_code=201)
def revoke_token(token_id: TokenId, runtime: RuntimeDep, principal: Manager) -> TokenRevocationRead:
    with runtime.transaction() as session:
        revocation = flow.revoke_token(session, token_id=token_id, author=principal.username, now=now_utc())
        return TokenRevocationRead.model_validate(revocation)
