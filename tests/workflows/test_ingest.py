"""Ingest of claims extracted elsewhere (Dask workers): stored as if extracted from the stored document."""

from sqlalchemy import select

from tests.builders import NOW, a_source_document
from tests.incidents.builders import make_claim
from truceline.claims.models import Claim
from truceline.runtime import Runtime
from truceline.workflows.ingest import ingest_extracted, list_new_documents


def test_claims_of_a_document_whose_id_is_taken_follow_the_id_it_is_stored_under(runtime: Runtime) -> None:
    first = a_source_document(id="doc-1", text="Forces exchanged fire near Chaman on Friday.")
    other = a_source_document(id="doc-1", text="Shelling was reported near Chaman on Saturday.")
    with runtime.transaction() as session:
        result = ingest_extracted(
            session,
            [(first, [make_claim("doc-1-c1")]), (other, [make_claim("doc-1-c1"), make_claim("doc-1-c2")])],
            author="test",
            now=NOW,
        )
    renamed = f"doc-1-{other.content_hash[:8]}"
    assert result.added == ["doc-1", renamed]
    assert result.claims == ["doc-1-c1", f"{renamed}-c1", f"{renamed}-c2"]
    with runtime.sessions() as session:
        stored = {c.id: c.document_id for c in session.scalars(select(Claim))}
    assert stored == {"doc-1-c1": "doc-1", f"{renamed}-c1": renamed, f"{renamed}-c2": renamed}


def test_the_claims_sent_with_a_document_already_stored_are_ignored(runtime: Runtime) -> None:
    doc = a_source_document()
    with runtime.transaction() as session:
        ingest_extracted(session, [(doc, [])], author="test", now=NOW)
    with runtime.transaction() as session:
        again = ingest_extracted(session, [(doc, [make_claim("doc-1-c1")])], author="test", now=NOW)
    assert (again.added, again.existing, again.claims) == ([], ["doc-1"], [])


def test_new_documents_are_those_not_stored_and_the_first_of_each_content(runtime: Runtime) -> None:
    stored = a_source_document(id="doc-1")
    new = a_source_document(id="doc-2", text="Shelling was reported near Chaman on Saturday.")
    with runtime.transaction() as session:
        ingest_extracted(session, [(stored, [])], author="test", now=NOW)
    with runtime.sessions() as session:
        assert list_new_documents(session, [stored, new, new, stored]) == [new]
