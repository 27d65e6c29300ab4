from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.cases.world import World, a_world
from truceline.runtime import Runtime
from truceline.users.service import issue_token
from truceline.web.app import create_app
from truceline.workflows.setup import DEMO_USERS

AsUser = Callable[[str], dict[str, str]]


@pytest.fixture
def client(demo_data: None, runtime: Runtime) -> Iterator[TestClient]:
    """The app over the demo data (reports, extracted claims, one account per role, a signed checkpoint)."""
    with TestClient(create_app(runtime)) as test_client:
        yield test_client


@pytest.fixture
def as_user(client: TestClient, runtime: Runtime) -> AsUser:
    """Authorization headers carrying a fresh API token of a demo user."""
    from datetime import UTC, datetime

    tokens: dict[str, str] = {}
    with runtime.transaction() as session:
        for username, _, _ in DEMO_USERS:
            tokens[username] = issue_token(session, username=username, author="test", now=datetime.now(UTC))

    def headers(username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[username]}"}

    return headers


@dataclass
class WorldClient:
    """The app over the small verification world of tests/cases/world.py, with an API token per account."""

    world: World
    client: TestClient
    tokens: dict[str, str]

    def as_(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}


@pytest.fixture
def world_client(runtime: Runtime) -> Iterator[WorldClient]:
    from datetime import UTC, datetime

    world = a_world(runtime)
    with runtime.transaction() as session:
        tokens = {
            name: issue_token(session, username=name, author="test", now=datetime.now(UTC))
            for name in world.principals
        }
    with TestClient(create_app(runtime)) as test_client:
        yield WorldClient(world, test_client, tokens)
