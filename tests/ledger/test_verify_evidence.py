"""`ledger verify` rehashes the evidence store: a file replaced on disk is found and named."""

import os

import pytest

from tests.builders import NOW
from tests.cases.world import a_world, file_a_complaint, open_investigation
from truceline.cases import evidence as evidence_service
from truceline.errors import VerificationError
from truceline.runtime import Runtime
from truceline.views.ledger import verify_read_only


def _file_evidence(runtime: Runtime) -> tuple[str, str]:
    world = a_world(runtime)
    case_id = open_investigation(world, file_a_complaint(world).id)
    with runtime.transaction() as session:
        item = evidence_service.add_file_evidence(
            session,
            principal=world["monitor-one"],
            store=world.store,
            case_id=case_id,
            filename="crater.txt",
            data=b"a photograph of a crater, as bytes",
            now=NOW,
        )
    assert item.sha256 is not None
    return item.id, str(world.store.original_path(item.sha256))


def test_verify_rehashes_evidence_files_and_names_a_replaced_one(runtime: Runtime) -> None:
    evidence_id, path = _file_evidence(runtime)
    report = verify_read_only(runtime.settings)
    assert report.evidence_files == 1
    os.chmod(path, 0o644)
    with open(path, "wb") as handle:
        handle.write(b"a photograph of no crater at all")
    with pytest.raises(VerificationError, match=f"evidence '{evidence_id}'.*has changed"):
        verify_read_only(runtime.settings)
    assert verify_read_only(runtime.settings, evidence=False).evidence_files == 0


def test_a_deleted_evidence_file_is_named(runtime: Runtime) -> None:
    evidence_id, path = _file_evidence(runtime)
    os.chmod(path, 0o644)
    os.remove(path)
    with pytest.raises(VerificationError, match=f"evidence '{evidence_id}'.*missing"):
        verify_read_only(runtime.settings)
