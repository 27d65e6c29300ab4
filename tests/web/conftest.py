from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.builders import NOW
from truceline.ledger.service import create_checkpoint
from truceline.runtime import Runtime
from truceline.web.app import create_app
from truceline.workflows.setup import initialize, load_demo


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with runtime.transaction() as session:
        initialize(session, scenario=runtime.scenario, now=NOW)
        load_demo(session, now=NOW)
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
    with TestClient(create_app(runtime)) as test_client:
        yield test_client
